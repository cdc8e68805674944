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
import * as Plotly from 'plotly.js-dist-min';
import React from 'react';

import type {
  IMonitoringReport,
  MonitoringExecutionStatus,
  MonitoringScheduleStatus
} from '../api/monitoring';
import { StudioApiError } from '../api/request';
import { EndpointModel } from '../models/endpoint';
import { EndpointsModel } from '../models/endpoints';
import { EndpointView } from '../widgets/endpointView';
import { createEndpointsWidget } from '../widgets/endpoints';
import {
  described,
  endpointSummary,
  figures,
  metrics,
  variant
} from './endpointFixtures';
import { execution, schedule } from './monitoringFixtures';
import { Answer, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element) => node.textContent ?? '';
const plotted = Plotly.react as unknown as jest.Mock;

const CAPTURE = {
  EnableCapture: true,
  InitialSamplingPercentage: 100,
  DestinationS3Uri: 'file:///studio/data-capture'
};

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

const SHIFTED = execution('churn-hourly-2', 'CompletedWithViolations', {
  ScheduledTime: '2026-12-06T11:00:00Z',
  ViolationCount: 2
});
const NORMAL = execution('churn-hourly-1', 'Completed', { ViolationCount: 0 });

function report(job: string): IMonitoringReport {
  const shifted = job === 'churn-hourly-2';
  return {
    MonitoringScheduleName: 'churn-hourly',
    ProcessingJobName: job,
    ScheduledTime: shifted ? SHIFTED.ScheduledTime : NORMAL.ScheduledTime,
    RecordCount: 50,
    ParseErrors: shifted ? 1 : 0,
    Features: [
      {
        Name: 'x1',
        InferredType: 'Fractional',
        Distance: shifted ? 0.02 : 0.01,
        Threshold: 0.1,
        Bins: [
          { LowerBound: 0, UpperBound: 5, BaselineCount: 5, WindowCount: 25 },
          { LowerBound: 5, UpperBound: 10, BaselineCount: 5, WindowCount: 25 }
        ]
      },
      {
        Name: 'x2',
        InferredType: 'Fractional',
        Distance: shifted ? 0.6 : 0.03,
        Threshold: 0.1,
        Bins: [
          { LowerBound: 0, UpperBound: 5, BaselineCount: 8, WindowCount: 0 },
          { LowerBound: 5, UpperBound: 10, BaselineCount: 2, WindowCount: 50 }
        ]
      }
    ],
    Violations: shifted
      ? [
          {
            FeatureName: 'x2',
            ConstraintCheckType: 'baseline_drift_check',
            Description: 'Baseline drift distance: 0.6 exceeds threshold: 0.1'
          },
          {
            FeatureName: 'x1',
            ConstraintCheckType: 'data_type_check',
            Description: 'Data type match requirement is not met.'
          }
        ]
      : [],
    DriftHistory: [
      {
        ScheduledTime: NORMAL.ScheduledTime,
        ProcessingJobName: NORMAL.ProcessingJobName,
        Distances: { x1: 0.01, x2: 0.03 }
      },
      ...(shifted
        ? [
            {
              ScheduledTime: SHIFTED.ScheduledTime,
              ProcessingJobName: SHIFTED.ProcessingJobName,
              Distances: { x1: 0.02, x2: 0.6 }
            }
          ]
        : [])
    ]
  };
}

const ENDPOINT_ROUTES: Record<string, Answer> = {
  'GET endpoint-configs': { EndpointConfigs: [], NextToken: null },
  'GET endpoints/churn': described('churn', [variant('blue', 1)], {
    DataCaptureConfig: CAPTURE
  }),
  'GET endpoints/churn/metrics': metrics('churn', [figures('blue', 1)]),
  'GET endpoints/churn/captures': {
    Records: [],
    Files: [],
    CaptureStatus: 'Started'
  },
  'GET endpoints/churn/logs': { Text: '', NextOffset: 0, Complete: false }
};

describe('the Monitoring tab of the endpoint view', () => {
  let widget: Widget | null = null;
  let model: EndpointModel | null = null;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    plotted.mockClear();
  });
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
    document.querySelectorAll('.jp-Dialog').forEach(node => node.remove());
  });

  function show(
    routes: Record<string, Answer>,
    onOpenJob?: (name: string) => void
  ): HTMLElement {
    mockApi({ ...ENDPOINT_ROUTES, ...routes });
    model = new EndpointModel('churn', {
      standby: 'never',
      interval: 0.05,
      figuresInterval: 0.05,
      logInterval: 0.05
    });
    widget = ReactWidget.create(
      <EndpointView model={model} trans={trans} onOpenJob={onOpenJob} />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    void model.refresh();
    return widget.node;
  }

  const tab = (node: HTMLElement, name: string) =>
    node.querySelector(`[role="tab"][data-tab="${name}"]`) as HTMLElement;
  const asked = (route: string) =>
    mockedRequestAPI.mock.calls.filter(([path]) => path === route);

  it('opens by keyboard; only the tab on screen polls', async () => {
    const node = show({
      'GET monitoring-schedules': { MonitoringScheduleSummaries: [] },
      'GET monitoring-executions': { MonitoringExecutionSummaries: [] }
    });
    await waitFor(() => !!tab(node, 'overview'));
    expect(tab(node, 'overview').getAttribute('aria-selected')).toBe('true');
    expect(asked('monitoring-schedules')).toHaveLength(0);
    tab(node, 'overview').focus();
    tab(node, 'overview').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true })
    );
    await waitFor(() => text(node).includes('No monitoring schedule'));
    expect(tab(node, 'monitoring').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tab(node, 'monitoring'));
    expect(node.querySelector('[role="tabpanel"]')!.id).toBe(
      tab(node, 'monitoring').getAttribute('aria-controls')
    );
    expect(text(node)).toContain(
      'DefaultModelMonitor.create_monitoring_schedule('
    );
    // the endpoint captures its requests: no word about capture
    expect(node.querySelector('.jp-mlstudio-MonitoringCapture')).toBeNull();
    expect(asked('monitoring-schedules')[0][2]).toEqual({
      EndpointName: 'churn'
    });
    // the overview's parts stop while the Monitoring tab is on screen
    expect(node.querySelector('[aria-label="Variants"]')).toBeNull();
    const captures = asked('endpoints/churn/captures').length;
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(asked('endpoints/churn/captures').length).toBe(captures);
    // Home goes back to the overview
    tab(node, 'monitoring').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Home', bubbles: true })
    );
    await waitFor(() => text(node).includes('Variants'));
    const schedules = asked('monitoring-schedules').length;
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(asked('monitoring-schedules').length).toBe(schedules);
  });

  it('says when the endpoint captures nothing', async () => {
    const node = show({
      'GET endpoints/churn': described('churn', [variant('blue', 1)]),
      'GET monitoring-schedules': { MonitoringScheduleSummaries: [] },
      'GET monitoring-executions': { MonitoringExecutionSummaries: [] }
    });
    await waitFor(() => !!tab(node, 'monitoring'));
    tab(node, 'monitoring').click();
    await waitFor(() => text(node).includes('No monitoring schedule'));
    expect(
      text(node.querySelector('.jp-mlstudio-MonitoringCapture')!)
    ).toContain('does not capture its requests');
  });

  it('shows schedules, executions, violations and the charts of a feature', async () => {
    const opened: string[] = [];
    const node = show(
      {
        'GET monitoring-schedules': {
          MonitoringScheduleSummaries: [
            schedule({ LastMonitoringExecutionSummary: SHIFTED })
          ]
        },
        'GET monitoring-executions': {
          MonitoringExecutionSummaries: [SHIFTED, NORMAL]
        },
        'GET monitoring-schedules/churn-hourly/report': (
          query: Record<string, unknown>
        ) => report((query.ProcessingJobName as string) ?? 'churn-hourly-2')
      },
      name => opened.push(name)
    );
    await waitFor(() => !!tab(node, 'monitoring'));
    tab(node, 'monitoring').click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-ViolationsTable'));

    const row = node.querySelector('tr[data-schedule="churn-hourly"]')!;
    expect(text(row)).toContain('DataQuality');
    expect(text(row)).toContain('Scheduled');
    expect(text(row)).toContain('Hourly');
    expect(
      row
        .querySelector('.jp-mlstudio-SchedulesTable-cadence')!
        .getAttribute('title')
    ).toBe('cron(0 * ? * * *)');
    expect(
      text(row.querySelector('.jp-mlstudio-SchedulesTable-next')!)
    ).toMatch(/minutes/);
    expect(text(row)).toContain('Completed with violations');
    expect(text(row)).toContain('2 violations');

    const executions = node.querySelectorAll(
      '.jp-mlstudio-ExecutionsTable tbody tr'
    );
    expect(Array.from(executions).map(r => r.getAttribute('data-job'))).toEqual(
      ['churn-hourly-2', 'churn-hourly-1']
    );
    expect(text(executions[0])).toContain('Shown');
    (
      executions[0].querySelector(
        '.jp-mlstudio-ExecutionsTable-job'
      ) as HTMLElement
    ).click();
    expect(opened).toEqual(['churn-hourly-2']);

    const violations = node.querySelectorAll(
      '.jp-mlstudio-ViolationsTable tbody tr'
    );
    expect(
      Array.from(violations).map(r => r.getAttribute('data-check'))
    ).toEqual(['baseline_drift_check', 'data_type_check']);
    expect(text(violations[0])).toContain('exceeds threshold');
    expect(text(node)).toContain('1 record could not be parsed');

    // the drifted feature first, charted without asking
    const features = node.querySelectorAll(
      '.jp-mlstudio-FeaturesTable tbody tr'
    );
    expect(
      Array.from(features).map(r => r.getAttribute('data-feature'))
    ).toEqual(['x2', 'x1']);
    expect(features[0].getAttribute('data-drifted')).toBe('true');
    expect(text(features[0])).toContain('0.600');
    await waitFor(() => plotted.mock.calls.length >= 2);
    const charts = node.querySelector('.jp-mlstudio-FeatureCharts')!;
    expect(charts.getAttribute('data-feature')).toBe('x2');
    const traces = plotted.mock.calls.map(call => call[1]);
    expect(
      traces.some(
        data => data[0]?.name === 'baseline' && data[1]?.name === 'window'
      )
    ).toBe(true);
    const drift = plotted.mock.calls.find(
      call => call[1][0]?.name === 'distance'
    )!;
    expect(drift[1][0].y).toEqual([0.03, 0.6]);
    expect(drift[2].shapes[0].y0).toBe(0.1);

    // another feature, by its button
    (
      features[1].querySelector(
        '.jp-mlstudio-FeaturesTable-name'
      ) as HTMLElement
    ).click();
    await waitFor(
      () =>
        node
          .querySelector('.jp-mlstudio-FeatureCharts')!
          .getAttribute('data-feature') === 'x1'
    );

    // the earlier execution's report
    (
      executions[1].querySelector(
        '.jp-mlstudio-ExecutionsTable-show'
      ) as HTMLElement
    ).click();
    await waitFor(() =>
      text(node).includes('No violations: the window meets the baseline')
    );
    const reports = asked('monitoring-schedules/churn-hourly/report');
    expect(reports[reports.length - 1][2]).toEqual({
      ProcessingJobName: 'churn-hourly-1'
    });
    expect(
      node
        .querySelector('tr[data-job="churn-hourly-1"]')!
        .classList.contains('jp-mod-selected')
    ).toBe(true);
  });

  it('refreshes while an execution runs; stops and starts a schedule', async () => {
    let status: MonitoringExecutionStatus = 'InProgress';
    let scheduleStatus: MonitoringScheduleStatus = 'Scheduled';
    const calls: string[] = [];
    const node = show({
      'GET monitoring-schedules': () => ({
        MonitoringScheduleSummaries: [
          schedule({
            MonitoringScheduleStatus: scheduleStatus,
            ScheduleExpression: 'NOW',
            LastMonitoringExecutionSummary: execution('now-1', status)
          })
        ]
      }),
      'GET monitoring-executions': () => ({
        MonitoringExecutionSummaries: [
          execution('now-1', status, {
            ViolationCount: status === 'InProgress' ? null : 0
          })
        ]
      }),
      'GET monitoring-schedules/churn-hourly/report': () =>
        status === 'InProgress'
          ? {
              MonitoringScheduleName: 'churn-hourly',
              ProcessingJobName: null,
              ScheduledTime: null,
              RecordCount: 0,
              ParseErrors: 0,
              Features: [],
              Violations: [],
              DriftHistory: []
            }
          : report('churn-hourly-1'),
      'POST monitoring-schedules/churn-hourly/stop': () => {
        calls.push('stop');
        scheduleStatus = 'Stopped';
        return {};
      },
      'POST monitoring-schedules/churn-hourly/start': () => {
        calls.push('start');
        scheduleStatus = 'Scheduled';
        return {};
      }
    });
    await waitFor(() => !!tab(node, 'monitoring'));
    tab(node, 'monitoring').click();
    await waitFor(() => text(node).includes('An execution is running'));
    expect(text(node)).toContain('One-time run');
    expect(text(node)).toContain('No report yet');
    expect(
      node
        .querySelector('.jp-mlstudio-MonitoringTab')!
        .getAttribute('data-live')
    ).toBe('true');
    // The execution completes: the next poll shows its report.
    status = 'Completed';
    await waitFor(
      () => !!node.querySelector('.jp-mlstudio-FeaturesTable'),
      5000
    );
    expect(
      node
        .querySelector('.jp-mlstudio-MonitoringTab')!
        .getAttribute('data-live')
    ).toBe('false');

    // Stop asks first.
    (node.querySelector('.jp-mlstudio-ScheduleStop') as HTMLElement).click();
    const ask = await dialog();
    expect(text(ask)).toContain('Stop monitoring schedule “churn-hourly”?');
    clickButton(ask, 'Stop schedule');
    await waitFor(() => !!node.querySelector('.jp-mlstudio-ScheduleStart'));
    expect(
      node
        .querySelector('tr[data-schedule="churn-hourly"]')!
        .getAttribute('data-status')
    ).toBe('Stopped');
    (node.querySelector('.jp-mlstudio-ScheduleStart') as HTMLElement).click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-ScheduleStop'));
    expect(calls).toEqual(['stop', 'start']);
  });

  it('shows errors: the list with a retry, the report on its own', async () => {
    let fail = true;
    const node = show({
      'GET monitoring-schedules': () =>
        fail
          ? new StudioApiError(503, 'StoreUnavailable', 'store down')
          : { MonitoringScheduleSummaries: [schedule()] },
      'GET monitoring-executions': { MonitoringExecutionSummaries: [] },
      'GET monitoring-schedules/churn-hourly/report': new StudioApiError(
        500,
        'InternalError',
        'feature_drift.json is not JSON'
      )
    });
    await waitFor(() => !!tab(node, 'monitoring'));
    tab(node, 'monitoring').click();
    await waitFor(() => text(node).includes('store down'));
    expect(text(node)).toContain('Could not read the monitoring schedules.');
    fail = false;
    clickButton(
      node.querySelector('.jp-mlstudio-MonitoringTab, [role="tabpanel"]')!,
      'Retry'
    );
    await waitFor(() => text(node).includes('feature_drift.json is not JSON'));
    expect(text(node)).toContain('Could not read the report.');
    expect(text(node)).toContain('No executions yet');
  });
});

describe('the violations badge of the Endpoints section', () => {
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
  });

  function show(routes: Record<string, Answer>): HTMLElement {
    mockApi({
      'GET endpoints': {
        Endpoints: [endpointSummary('churn'), endpointSummary('calm')]
      },
      'GET endpoints/churn': described('churn', [variant('blue', 1)]),
      'GET endpoints/calm': described('calm', [variant('blue', 1)]),
      'GET endpoints/churn/metrics': metrics('churn', [figures('blue', 1)]),
      'GET endpoints/calm/metrics': metrics('calm', [figures('blue', 1)]),
      ...routes
    });
    widget = createEndpointsWidget(model, trans);
    Widget.attach(widget, document.body);
    model.active = true;
    return widget.node;
  }

  it('marks an endpoint whose latest execution found violations', async () => {
    const node = show({
      'GET monitoring-schedules': {
        MonitoringScheduleSummaries: [
          schedule({ LastMonitoringExecutionSummary: SHIFTED }),
          schedule({
            MonitoringScheduleName: 'calm-hourly',
            EndpointName: 'calm',
            LastMonitoringExecutionSummary: {
              ...NORMAL,
              EndpointName: 'calm'
            }
          })
        ]
      }
    });
    await waitFor(() => !!node.querySelector('.jp-mlstudio-ViolationsBadge'));
    const [churn, calm] = Array.from(node.querySelectorAll('li'));
    const badge = churn.querySelector('.jp-mlstudio-ViolationsBadge')!;
    expect(text(badge)).toBe('2 violations');
    expect(badge.getAttribute('title')).toMatch(
      /^Monitoring schedule churn-hourly: its latest execution \(.+\) found 2 violation\(s\)\.$/
    );
    expect(churn.getAttribute('aria-label')).toBe(
      'churn, In service, monitoring found violations'
    );
    expect(calm.querySelector('.jp-mlstudio-ViolationsBadge')).toBeNull();
    expect(calm.getAttribute('aria-label')).toBe('calm, In service');
    expect(
      mockedRequestAPI.mock.calls.find(
        ([route]) => route === 'monitoring-schedules'
      )![2]
    ).toEqual({ MaxResults: 1000 });
  });

  it('shows the endpoints without badges when monitoring cannot be listed', async () => {
    const node = show({
      'GET monitoring-schedules': new StudioApiError(500, 'InternalError', 'x')
    });
    await waitFor(() => node.querySelectorAll('li').length === 2);
    expect(node.querySelector('.jp-mlstudio-ViolationsBadge')).toBeNull();
    expect(text(node)).not.toContain('Could not load');
  });
});
