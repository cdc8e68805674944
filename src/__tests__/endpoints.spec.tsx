jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import {
  createEndpoint,
  createEndpointConfig,
  createModel,
  deleteEndpoint,
  getEndpointLogs,
  getEndpointMetrics,
  listCaptures,
  updateEndpointWeights
} from '../api/endpoints';
import { StudioApiError } from '../api/request';
import { EndpointsModel } from '../models/endpoints';
import { deploy, DeployError } from '../models/endpointDeploy';
import { createEndpointsWidget } from '../widgets/endpoints';
import {
  described,
  endpointSummary,
  figures,
  metrics,
  variant
} from './endpointFixtures';
import { job, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element) => node.textContent ?? '';

/** The dialog on screen, once it shows. */
async function dialog(): Promise<HTMLElement> {
  await waitFor(() => !!document.querySelector('.jp-Dialog'));
  return document.querySelector('.jp-Dialog') as HTMLElement;
}

function clickButton(root: HTMLElement, label: string): void {
  const button = Array.from(root.querySelectorAll('button')).find(
    b => b.textContent?.trim() === label
  );
  if (!button) {
    throw new Error(`No button ${label}`);
  }
  button.click();
}

describe('endpoint API functions', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('call the hosting routes with SageMaker’s bodies and queries', async () => {
    mockedRequestAPI.mockResolvedValue({});
    await updateEndpointWeights('my ep', [
      { VariantName: 'a', DesiredWeight: 2 }
    ]);
    await getEndpointMetrics('e', 30);
    await listCaptures('e', 'blue', 20);
    await getEndpointLogs('e', 'blue', 'algo-2', 128);
    await deleteEndpoint('e');
    await createModel({ ModelName: 'm', PrimaryContainer: {} });
    await createEndpointConfig({
      EndpointConfigName: 'c',
      ProductionVariants: []
    });
    await createEndpoint({ EndpointName: 'e', EndpointConfigName: 'c' });
    const calls = mockedRequestAPI.mock.calls.map(([path, init, query]) => [
      `${init?.method ?? 'GET'} ${path}`,
      init?.body ? JSON.parse(String(init.body)) : undefined,
      query
    ]);
    expect(calls).toEqual([
      [
        'POST endpoints/my%20ep/weights',
        {
          DesiredWeightsAndCapacities: [{ VariantName: 'a', DesiredWeight: 2 }]
        },
        undefined
      ],
      ['GET endpoints/e/metrics', undefined, { Minutes: 30 }],
      [
        'GET endpoints/e/captures',
        undefined,
        { VariantName: 'blue', MaxResults: 20 }
      ],
      [
        'GET endpoints/e/logs',
        undefined,
        { VariantName: 'blue', Host: 'algo-2', Offset: 128 }
      ],
      ['DELETE endpoints/e', undefined, undefined],
      ['POST models', { ModelName: 'm', PrimaryContainer: {} }, undefined],
      [
        'POST endpoint-configs',
        { EndpointConfigName: 'c', ProductionVariants: [] },
        undefined
      ],
      [
        'POST endpoints',
        { EndpointName: 'e', EndpointConfigName: 'c' },
        undefined
      ]
    ]);
  });

  it('deploy creates model, configuration and endpoint in order', async () => {
    const created: string[] = [];
    mockApi({
      'POST models': () => created.push('model'),
      'POST endpoint-configs': () => created.push('config'),
      'POST endpoints': () => {
        created.push('endpoint');
        return endpointSummary('churn', 'Creating');
      }
    });
    const trained = job('churn-job', {
      Status: 'Completed',
      Outputs: { ModelArtifacts: { S3ModelArtifacts: 'file:///m.tar.gz' } }
    });
    const options = {
      endpointName: 'churn',
      variantName: 'AllTraffic',
      instanceCount: 1,
      captureData: false
    };
    const endpoint = await deploy(trained, options);
    expect(endpoint.EndpointStatus).toBe('Creating');
    expect(created).toEqual(['model', 'config', 'endpoint']);

    mockApi({
      'POST models': {},
      'POST endpoint-configs': new StudioApiError(
        400,
        'ValidationError',
        'no such model',
        'ProductionVariants.0.ModelName'
      )
    });
    const error = await deploy(trained, options).catch(e => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error.step).toBe('config');
    expect(error.message).toBe('no such model');
  });
});

describe('EndpointsModel', () => {
  let model: EndpointsModel;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    model = new EndpointsModel({ standby: 'never' });
  });
  afterEach(() => model.dispose());

  it('lists endpoints with their variants and recent requests', async () => {
    mockApi({
      'GET endpoints': {
        Endpoints: [
          endpointSummary('churn'),
          endpointSummary('canary', 'Creating')
        ]
      },
      'GET endpoints/churn': described('churn', [
        variant('blue', 3),
        variant('green', 1)
      ]),
      'GET endpoints/churn/metrics': metrics('churn', [
        figures('blue', 7),
        figures('green', 2)
      ]),
      'GET endpoints/canary': described('canary', [variant('AllTraffic', 1)], {
        EndpointStatus: 'Creating'
      })
    });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    const state = model.state;
    if (state.kind !== 'ready') {
      throw new Error('not ready');
    }
    expect(state.items.map(row => row.endpoint.EndpointName)).toEqual([
      'churn',
      'canary'
    ]);
    expect(state.items[0].variants?.map(v => v.VariantName)).toEqual([
      'blue',
      'green'
    ]);
    expect(state.items[0].invocations).toBe(9);
    // Not in service: no figures are asked for.
    expect(state.items[1].invocations).toBeNull();
    expect(
      mockedRequestAPI.mock.calls.some(
        ([path]) => path === 'endpoints/canary/metrics'
      )
    ).toBe(false);
    // An endpoint being created: the list polls faster.
    expect(model.live).toBe(true);
    expect(model.pollInterval).toBe(2);
  });

  it('keeps the list when a describe or the figures fail', async () => {
    mockApi({
      'GET endpoints': { Endpoints: [endpointSummary('churn')] },
      'GET endpoints/churn': new StudioApiError(500, 'Internal', 'boom'),
      'GET endpoints/churn/metrics': new StudioApiError(500, 'Internal', 'x')
    });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    const state = model.state;
    expect(state.kind === 'ready' && state.items[0]).toMatchObject({
      variants: null,
      invocations: null
    });
    expect(model.live).toBe(false);
  });

  it('describes an unchanged endpoint again only after a while', async () => {
    let describes = 0;
    mockApi({
      'GET endpoints': { Endpoints: [endpointSummary('churn')] },
      'GET endpoints/churn': () => {
        describes++;
        return described('churn', [variant('AllTraffic', 1)]);
      },
      'GET endpoints/churn/metrics': metrics('churn', [
        figures('AllTraffic', 1)
      ])
    });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    await model.refresh();
    await model.refresh();
    expect(describes).toBe(1);
  });
});

describe('EndpointsSection', () => {
  let model: EndpointsModel;
  let widget: Widget | null = null;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    model = new EndpointsModel({ standby: 'never' });
  });
  afterEach(() => {
    widget?.dispose();
    widget = null;
    model.dispose();
    document.querySelectorAll('.jp-Dialog').forEach(node => node.remove());
  });

  function show(onOpen?: (name: string) => void): HTMLElement {
    widget = createEndpointsWidget(
      model,
      trans,
      onOpen ? { openEndpoint: onOpen } : undefined
    );
    Widget.attach(widget, document.body);
    model.active = true;
    return widget.node;
  }

  it('says how to deploy when there are no endpoints', async () => {
    mockApi({ 'GET endpoints': { Endpoints: [] } });
    const node = show();
    await waitFor(() => text(node).includes('No endpoints yet'));
    expect(text(node)).toContain('estimator.deploy()');
    expect(text(node)).toContain('Deploy');
  });

  it('shows the error with a retry', async () => {
    mockApi({
      'GET endpoints': new StudioApiError(503, 'StoreUnavailable', 'store down')
    });
    const node = show();
    await waitFor(() => text(node).includes('store down'));
    expect(text(node)).toContain('Could not load endpoints.');
  });

  it('shows status, variants, split and requests; opens by click and Enter', async () => {
    mockApi({
      'GET endpoints': {
        Endpoints: [
          endpointSummary('churn'),
          endpointSummary('broken', 'Failed', {
            FailureReason: 'ModelError: no model.joblib'
          })
        ]
      },
      'GET endpoints/churn': described('churn', [
        variant('blue', 3),
        variant('green', 1)
      ]),
      'GET endpoints/churn/metrics': metrics('churn', [
        figures('blue', 1),
        figures('green', 0)
      ]),
      'GET endpoints/broken': described('broken', [], {
        EndpointStatus: 'Failed'
      })
    });
    const opened: string[] = [];
    const node = show(name => opened.push(name));
    await waitFor(() => text(node).includes('blue 75%'));
    const [churn, broken] = Array.from(node.querySelectorAll('li'));
    expect(churn.querySelector('.jp-mlstudio-StatusBadge')!.textContent).toBe(
      'In service'
    );
    expect(text(churn)).toContain('2 variants');
    expect(text(churn)).toContain('1 request');
    expect(text(churn)).toContain('blue 75% · green 25%');
    const parts = churn.querySelectorAll<HTMLElement>(
      '.jp-mlstudio-TrafficSplit-part'
    );
    expect(Array.from(parts).map(p => p.style.width)).toEqual(['75%', '25%']);
    expect(text(broken)).toContain('no model.joblib');
    expect(broken.getAttribute('aria-label')).toBe('broken, Failed');

    churn.click();
    broken.focus();
    broken.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    expect(opened).toEqual(['churn', 'broken']);
  });

  it('deletes an endpoint after confirmation only', async () => {
    let deleted = 0;
    mockApi({
      'GET endpoints': { Endpoints: [endpointSummary('churn')] },
      'GET endpoints/churn': described('churn', [variant('AllTraffic', 1)]),
      'GET endpoints/churn/metrics': metrics('churn', []),
      'DELETE endpoints/churn': () => {
        deleted++;
      }
    });
    const opened: string[] = [];
    const node = show(name => opened.push(name));
    await waitFor(() => node.querySelectorAll('li').length === 1);
    const remove = node.querySelector(
      '.jp-mlstudio-EndpointDelete'
    ) as HTMLButtonElement;
    expect(remove.getAttribute('aria-label')).toBe('Delete endpoint churn');

    remove.click();
    let box = await dialog();
    expect(text(box)).toContain('Delete endpoint “churn”?');
    clickButton(box, 'Cancel');
    await waitFor(() => !document.querySelector('.jp-Dialog'));
    expect(deleted).toBe(0);

    remove.click();
    box = await dialog();
    clickButton(box, 'Delete endpoint');
    await waitFor(() => deleted === 1);
    // The button does not open the endpoint.
    expect(opened).toEqual([]);
  });
});
