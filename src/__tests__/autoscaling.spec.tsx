jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));
jest.mock('plotly.js-dist-min', () => ({
  react: jest.fn(async () => undefined),
  purge: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import {
  getEndpointAutoscaling,
  IEndpointAutoscaling,
  IScalableTarget,
  IScalingActivity,
  IScalingPolicy,
  NO_AUTOSCALING
} from '../api/autoscaling';
import { IEndpointVariant } from '../api/endpoints';
import { ServerExtensionMissingError, StudioApiError } from '../api/request';
import {
  AutoscalingModel,
  newestFirst,
  scalingByVariant,
  scalingLive,
  variantOfResource
} from '../models/autoscaling';
import { EndpointModel } from '../models/endpoint';
import { LIVE_INTERVAL } from '../models/jobs';
import { EndpointView } from '../widgets/endpointView';
import { described, variant } from './endpointFixtures';
import { Answer, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element) => node.textContent ?? '';

const RESOURCE = 'endpoint/churn/variant/AllTraffic';

function activity(
  id: string,
  start: string,
  description: string,
  status: IScalingActivity['StatusCode'] = 'Successful',
  options: Partial<IScalingActivity> = {}
): IScalingActivity {
  return {
    ActivityId: id,
    ServiceNamespace: 'sagemaker',
    ResourceId: RESOURCE,
    ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    Description: description,
    Details: null,
    Cause: `monitor alarm TargetTracking-${id} in state ALARM`,
    StartTime: start,
    EndTime: status === 'InProgress' ? null : start,
    StatusCode: status,
    StatusMessage: null,
    ...options
  };
}

const TARGET: IScalableTarget = {
  ServiceNamespace: 'sagemaker',
  ResourceId: RESOURCE,
  ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
  MinCapacity: 1,
  MaxCapacity: 4,
  RoleARN: 'arn:mlstudio:autoscaling:local:role/autoscaling',
  CreationTime: '2026-12-07T03:00:00Z',
  SuspendedState: {
    DynamicScalingInSuspended: false,
    DynamicScalingOutSuspended: false,
    ScheduledScalingSuspended: false
  },
  ScalableTargetARN:
    'arn:mlstudio:autoscaling:local:scalable-target/churn/AllTraffic'
};

const POLICY: IScalingPolicy = {
  PolicyARN: 'arn:mlstudio:autoscaling:local:scalingPolicy:1',
  PolicyName: 'invocations',
  ServiceNamespace: 'sagemaker',
  PolicyType: 'TargetTrackingScaling',
  ResourceId: RESOURCE,
  ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
  CreationTime: '2026-12-07T03:00:00Z',
  TargetTrackingScalingPolicyConfiguration: {
    TargetValue: 5,
    PredefinedMetricSpecification: {
      PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance'
    },
    ScaleOutCooldown: 30,
    ScaleInCooldown: 120,
    DisableScaleIn: false
  }
};

const OUT = activity(
  'a1',
  '2026-12-07T03:10:00Z',
  'Setting desired instance count to 3.',
  'Successful',
  { Details: 'from 1 to 3 instances' }
);
const IN = activity(
  'a2',
  '2026-12-07T03:20:00Z',
  'Setting desired instance count to 1.'
);

function instances(count: number): IEndpointVariant['Instances'] {
  return Array.from({ length: count }, (_, i) => ({
    Host: `algo-${i + 1}`,
    Status: 'Healthy',
    Restarts: 0,
    StartedAt: 1,
    Detail: null,
    Containers: null,
    Node: null
  }));
}

function churn(current: number, desired = current) {
  return described('churn', [
    variant('AllTraffic', 1, {
      CurrentInstanceCount: current,
      DesiredInstanceCount: desired,
      Instances: instances(current)
    })
  ]);
}

describe('the autoscaling readers', () => {
  it('name the variant of a resource id of this endpoint only', () => {
    expect(variantOfResource(RESOURCE, 'churn')).toBe('AllTraffic');
    expect(
      variantOfResource('endpoint/other/variant/AllTraffic', 'churn')
    ).toBe(null);
    expect(variantOfResource('endpoint/churn/variant/', 'churn')).toBeNull();
  });

  it('group by variant in the endpoint’s order, activities newest first', () => {
    const answer: IEndpointAutoscaling = {
      ScalableTargets: [TARGET],
      ScalingPolicies: [POLICY],
      ScalingActivities: [
        OUT,
        IN,
        activity('a0', 'not a time', 'odd'),
        { ...OUT, ActivityId: 'x', ResourceId: 'endpoint/other/variant/v' }
      ]
    };
    const scalings = scalingByVariant(answer, 'churn', ['blue', 'AllTraffic']);
    expect(scalings.map(s => s.variant)).toEqual(['blue', 'AllTraffic']);
    expect(scalings[0]).toEqual({
      variant: 'blue',
      target: null,
      policies: [],
      activities: []
    });
    expect(scalings[1].target).toBe(TARGET);
    expect(scalings[1].policies).toEqual([POLICY]);
    expect(scalings[1].activities.map(a => a.ActivityId)).toEqual([
      'a2',
      'a1',
      'a0'
    ]);
    expect(newestFirst([OUT, IN])[0]).toBe(IN);
  });

  it('are live while an activity is pending or in progress', () => {
    expect(scalingLive([OUT, IN])).toBe(false);
    expect(scalingLive([OUT, { ...IN, StatusCode: 'InProgress' }])).toBe(true);
    expect(scalingLive([{ ...IN, StatusCode: 'Pending' }])).toBe(true);
  });
});

describe('AutoscalingModel', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('polls every few seconds while an activity runs, else at its interval', async () => {
    let answer: IEndpointAutoscaling = {
      ScalableTargets: [TARGET],
      ScalingPolicies: [POLICY],
      ScalingActivities: [{ ...OUT, StatusCode: 'InProgress' }]
    };
    mockApi({ 'GET endpoints/churn/autoscaling': () => answer });
    const model = new AutoscalingModel('churn', {
      interval: 30,
      standby: 'never',
      active: true
    });
    try {
      await model.refresh();
      expect(model.loaded).toBe(true);
      expect(model.pollInterval).toBe(LIVE_INTERVAL);
      answer = { ...answer, ScalingActivities: [OUT] };
      await model.refresh();
      expect(model.pollInterval).toBe(30);
      expect(model.autoscaling.ScalingActivities).toEqual([OUT]);
    } finally {
      model.dispose();
    }
  });
});

describe('getEndpointAutoscaling', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('answers no autoscaling when the endpoint or the route is missing', async () => {
    mockedRequestAPI.mockRejectedValueOnce(
      new StudioApiError(404, 'NotFound', 'no endpoint churn')
    );
    await expect(getEndpointAutoscaling('churn')).resolves.toEqual(
      NO_AUTOSCALING
    );
    mockedRequestAPI.mockRejectedValueOnce(
      new ServerExtensionMissingError('route-missing')
    );
    await expect(getEndpointAutoscaling('churn')).resolves.toEqual(
      NO_AUTOSCALING
    );
    expect(mockedRequestAPI.mock.calls[0][0]).toBe(
      'endpoints/churn/autoscaling'
    );
  });

  it('fills lists the answer leaves out and throws other errors', async () => {
    mockedRequestAPI.mockResolvedValueOnce({ ScalableTargets: [TARGET] });
    await expect(getEndpointAutoscaling('churn')).resolves.toEqual({
      ScalableTargets: [TARGET],
      ScalingPolicies: [],
      ScalingActivities: []
    });
    mockedRequestAPI.mockRejectedValueOnce(
      new StudioApiError(500, 'InternalError', 'boom')
    );
    await expect(getEndpointAutoscaling('churn')).rejects.toThrow('boom');
  });
});

describe('the Autoscaling tab of the endpoint view', () => {
  let widget: Widget | null = null;
  let model: EndpointModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  /** The endpoint's routes (the overview's too); `routes` add or replace some. */
  function show(routes: Record<string, Answer>): HTMLElement {
    mockApi({
      'GET endpoint-configs': { EndpointConfigs: [], NextToken: null },
      'GET endpoints/churn': churn(1),
      'GET endpoints/churn/metrics': { Variants: [] },
      'GET endpoints/churn/logs': { Text: '', NextOffset: 0, Complete: false },
      ...routes
    });
    model = new EndpointModel('churn', {
      standby: 'never',
      interval: 0.05,
      figuresInterval: 0.05,
      logInterval: 0.05
    });
    widget = ReactWidget.create(<EndpointView model={model} trans={trans} />);
    Widget.attach(widget, document.body);
    model.active = true;
    void model.refresh();
    return widget.node;
  }

  const tab = (node: HTMLElement, name: string) =>
    node.querySelector(`[role="tab"][data-tab="${name}"]`) as HTMLElement;
  const asked = (route: string) =>
    mockedRequestAPI.mock.calls.filter(([path]) => path === route);

  it('opens by keyboard and says how to add a policy when there is none', async () => {
    const node = show({
      'GET endpoints/churn/autoscaling': NO_AUTOSCALING
    });
    await waitFor(() => !!tab(node, 'overview'));
    expect(asked('endpoints/churn/autoscaling')).toHaveLength(0);
    tab(node, 'overview').focus();
    tab(node, 'overview').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'End', bubbles: true })
    );
    await waitFor(() => text(node).includes('No scaling policy'));
    expect(tab(node, 'autoscaling').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab(node, 'autoscaling'));
    expect(node.querySelector('[role="tabpanel"]')!.id).toBe(
      tab(node, 'autoscaling').getAttribute('aria-controls')
    );
    expect(text(node)).toContain('endpoint/churn/variant/<variant>');
    expect(text(node)).toContain('client.register_scalable_target(');
    // a target registered meanwhile shows on Refresh
    mockApi({
      'GET endpoints/churn': churn(1),
      'GET endpoints/churn/autoscaling': {
        ...NO_AUTOSCALING,
        ScalableTargets: [TARGET]
      }
    });
    (
      node.querySelector('[aria-label="Refresh autoscaling"]') as HTMLElement
    ).click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-VariantScaling'));
  });

  it('shows the empty state when the route does not exist', async () => {
    const node = show({
      'GET endpoints/churn/autoscaling': new StudioApiError(
        404,
        'NotFound',
        'no such route'
      )
    });
    await waitFor(() => !!tab(node, 'autoscaling'));
    tab(node, 'autoscaling').click();
    await waitFor(() => text(node).includes('No scaling policy'));
    expect(node.querySelector('[role="alert"]')).toBeNull();
  });

  it('shows bounds, policy and activities; instances come and go', async () => {
    let endpoint = churn(1);
    let answer: IEndpointAutoscaling = {
      ScalableTargets: [TARGET],
      ScalingPolicies: [POLICY],
      ScalingActivities: []
    };
    const node = show({
      'GET endpoints/churn': () => endpoint,
      'GET endpoints/churn/autoscaling': () => answer
    });
    await waitFor(() => !!tab(node, 'autoscaling'));
    tab(node, 'autoscaling').click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-VariantScaling'));
    const section = () =>
      node.querySelector(
        '.jp-mlstudio-VariantScaling[data-variant="AllTraffic"]'
      )!;
    const figure = (name: string) =>
      text(section().querySelector(`.jp-mlstudio-VariantScaling-${name}`)!);
    expect([figure('current'), figure('desired')]).toEqual(['1', '1']);
    expect([figure('min'), figure('max')]).toEqual(['1', '4']);
    expect(text(section())).toContain(
      'invocations keeps SageMakerVariantInvocationsPerInstance near 5 (scale-out cooldown 30 s, scale-in cooldown 120 s)'
    );
    expect(text(section())).toContain('No scaling activity yet.');
    expect(
      section().querySelectorAll('.jp-mlstudio-InstanceBadge')
    ).toHaveLength(1);

    // Under load: a scale-out runs, then its instances are up.
    endpoint = churn(1, 3);
    answer = {
      ...answer,
      ScalingActivities: [{ ...OUT, StatusCode: 'InProgress', EndTime: null }]
    };
    await waitFor(() => figure('desired') === '3');
    await waitFor(() => !!node.querySelector('[data-activity="a1"]'));
    expect(
      node.querySelector('[data-activity="a1"]')!.getAttribute('data-status')
    ).toBe('InProgress');
    expect(
      node
        .querySelector('.jp-mlstudio-AutoscalingTab')!
        .getAttribute('data-live')
    ).toBe('true');

    endpoint = churn(3);
    answer = { ...answer, ScalingActivities: [OUT] };
    await waitFor(
      () =>
        section().querySelectorAll('.jp-mlstudio-InstanceBadge').length === 3
    );
    await waitFor(
      () =>
        node
          .querySelector('[data-activity="a1"]')!
          .getAttribute('data-status') === 'Successful'
    );

    // After the load: a scale-in, listed first.
    endpoint = churn(1);
    answer = { ...answer, ScalingActivities: [OUT, IN] };
    await waitFor(
      () =>
        section().querySelectorAll('.jp-mlstudio-InstanceBadge').length === 1
    );
    await waitFor(
      () =>
        section().querySelectorAll('.jp-mlstudio-ScalingActivities li')
          .length === 2
    );
    const items = section().querySelectorAll(
      '.jp-mlstudio-ScalingActivities li'
    );
    expect(items[0].getAttribute('data-activity')).toBe('a2');
    expect(text(items[0])).toContain('Setting desired instance count to 1.');
    expect(text(items[0])).toContain('Successful');
    expect(text(items[0])).toContain('TargetTracking-a2');
    expect(items[0].querySelector('time')!.getAttribute('dateTime')).toBe(
      IN.StartTime
    );
    expect(text(items[1])).toContain('Setting desired instance count to 3.');
    expect(text(items[1])).toContain('from 1 to 3 instances');
  });

  it('polls only while the tab is on screen', async () => {
    const node = show({
      'GET endpoints/churn/autoscaling': {
        ScalableTargets: [TARGET],
        ScalingPolicies: [],
        ScalingActivities: []
      }
    });
    await waitFor(() => !!tab(node, 'autoscaling'));
    tab(node, 'autoscaling').click();
    await waitFor(() =>
      text(node).includes('No scaling policy on this variant')
    );
    await waitFor(() => asked('endpoints/churn/autoscaling').length >= 2);
    tab(node, 'overview').click();
    await waitFor(() => text(node).includes('Variants'));
    const polls = asked('endpoints/churn/autoscaling').length;
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(asked('endpoints/churn/autoscaling').length).toBe(polls);
  });

  it('says what failed, with a retry', async () => {
    let fail = true;
    const node = show({
      'GET endpoints/churn/autoscaling': () =>
        fail
          ? new StudioApiError(500, 'InternalError', 'store unavailable')
          : { ...NO_AUTOSCALING, ScalableTargets: [TARGET] }
    });
    await waitFor(() => !!tab(node, 'autoscaling'));
    tab(node, 'autoscaling').click();
    await waitFor(() => text(node).includes('store unavailable'));
    expect(text(node)).toContain('Could not read the endpoint’s autoscaling.');
    fail = false;
    (node.querySelector('.jp-mlstudio-RetryButton') as HTMLElement).click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-VariantScaling'));
  });
});
