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

import { IJob, JobKind } from '../api/types';
import { JobModel } from '../models/job';
import { JobsModel } from '../models/jobs';
import { JobView } from '../widgets/jobView';
import { JobsSection } from '../widgets/jobs';
import {
  EMPTY_API,
  job,
  mockApi,
  mockedRequestAPI,
  NOW,
  waitFor
} from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element) => node.textContent ?? '';

const DEBUGGED: Partial<IJob> = {
  Spec: {
    ResourceConfig: { InstanceCount: 2 },
    DebugHookConfig: { LocalPath: '/opt/ml/output/tensors' },
    DebugRuleConfigurations: [
      {
        RuleConfigurationName: 'LossNotDecreasing',
        RuleParameters: { rule_to_invoke: 'LossNotDecreasing' }
      },
      {
        RuleConfigurationName: 'ExplodingTensor',
        RuleParameters: { rule_to_invoke: 'ExplodingTensor' }
      }
    ],
    ProfilerRuleConfigurations: [
      {
        RuleConfigurationName: 'ProfilerReport',
        RuleParameters: { rule_to_invoke: 'ProfilerReport' }
      }
    ]
  },
  Outputs: {
    DebugRuleEvaluationStatuses: [
      {
        RuleConfigurationName: 'LossNotDecreasing',
        RuleEvaluationJobName: 'train-1-LossNotDecreasing-0a1b2c3d',
        RuleEvaluationStatus: 'IssuesFound',
        StatusDetails: 'loss did not decrease for 10 steps',
        Step: 30,
        LastModifiedTime: NOW
      },
      {
        RuleConfigurationName: 'ExplodingTensor',
        RuleEvaluationJobName: 'train-1-ExplodingTensor-11223344',
        RuleEvaluationStatus: 'InProgress',
        LastModifiedTime: NOW
      }
    ],
    ProfilerRuleEvaluationStatuses: [
      {
        RuleConfigurationName: 'ProfilerReport',
        RuleEvaluationJobName: 'train-1-ProfilerReport-99887766',
        RuleEvaluationStatus: 'NoIssuesFound',
        LastModifiedTime: NOW
      }
    ]
  }
};

describe('the Debugger and Profiler tabs', () => {
  let widget: Widget | null = null;
  let model: JobModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(
    props: Partial<React.ComponentProps<typeof JobView>> = {}
  ): HTMLElement {
    model = new JobModel('TrainingJob', 'train-1', {
      standby: 'never',
      interval: 0.02,
      logInterval: 0.02
    });
    widget = ReactWidget.create(
      <JobView model={model} trans={trans} {...props} />
    );
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  const tab = (node: HTMLElement, name: string) =>
    node.querySelector(`[role="tab"][data-tab="${name}"]`) as HTMLElement;

  it('shows the rules, the tensors and a chart; opens a rule job', async () => {
    const asked: Record<string, unknown>[] = [];
    mockApi({
      'GET training-jobs/train-1': job('train-1', DEBUGGED),
      'GET training-jobs/train-1/logs': { Text: '', NextOffset: 0 },
      'GET training-jobs/train-1/debugger/tensors': {
        Tensors: [
          {
            Name: 'dense/weight',
            Collections: ['weights'],
            Steps: 4,
            FirstStep: 0,
            LastStep: 30,
            Shape: [2, 3]
          },
          {
            Name: 'loss',
            Collections: ['losses'],
            Steps: 4,
            FirstStep: 0,
            LastStep: 30,
            Shape: []
          }
        ],
        Skipped: ['algo-2 step 40: half-written']
      },
      'GET training-jobs/train-1/debugger/tensors/loss': (
        query: Record<string, unknown>
      ) => {
        asked.push(query);
        return { Name: 'loss', Steps: [0, 10], Values: [1, 2] };
      },
      'GET training-jobs/train-1/debugger/tensors/dense%2Fweight': {
        Name: 'dense/weight',
        Steps: [0, 10],
        Mean: [0, 1],
        Min: [0, 0],
        Max: [1, 2],
        Norm: [1, 3]
      }
    });
    const opened: [JobKind, string][] = [];
    const node = show({ onOpenJob: (kind, name) => opened.push([kind, name]) });
    await waitFor(() => !!tab(node, 'debugger'));
    const debuggerTab = tab(node, 'debugger');
    // the tab warns of the rule that found issues
    expect(text(debuggerTab)).toBe('Debugger1');
    expect(tab(node, 'overview').getAttribute('aria-selected')).toBe('true');
    debuggerTab.click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-RulesTable'));
    expect(model!.tab).toBe('debugger');
    expect(debuggerTab.getAttribute('tabindex')).toBe('0');
    const rows = node.querySelectorAll('.jp-mlstudio-RulesTable tbody tr');
    expect(
      Array.from(rows).map(row => row.getAttribute('data-status'))
    ).toEqual(['IssuesFound', 'InProgress']);
    expect(text(rows[0])).toContain('loss did not decrease for 10 steps');
    expect(text(rows[0])).toContain('30');
    expect(text(rows[0])).toContain('Issues found');
    (
      rows[1].querySelector('.jp-mlstudio-RulesTable-job') as HTMLElement
    ).click();
    expect(opened).toEqual([
      ['ProcessingJob', 'train-1-ExplodingTensor-11223344']
    ]);

    // the first scalar is charted without asking; arrays on demand
    await waitFor(
      () =>
        !!node.querySelector(
          '.jp-mlstudio-TensorChart[data-tensor="loss"] .jp-mlstudio-Plot'
        )
    );
    expect(text(node)).toContain('half-written');
    const weight = node.querySelector(
      '.jp-mlstudio-TensorList-item[data-tensor="dense/weight"] input'
    ) as HTMLInputElement;
    expect(weight.checked).toBe(false);
    weight.click();
    await waitFor(
      () =>
        !!node.querySelector(
          '.jp-mlstudio-TensorChart[data-tensor="dense/weight"] .jp-mlstudio-Plot'
        )
    );
    const mode = node.querySelector(
      '.jp-mlstudio-TensorMode'
    ) as HTMLSelectElement;
    mode.value = 'EVAL';
    mode.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => asked.some(query => query.mode === 'EVAL'));

    // arrow keys move between tabs; the log stops being read off its tab
    debuggerTab.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true })
    );
    expect(model!.tab).toBe('profiler');
    expect(document.activeElement).toBe(tab(node, 'profiler'));
    expect(model!.log.active).toBe(false);
    expect(model!.debugger.active).toBe(false);
    expect(model!.profiler.active).toBe(true);
  });

  it('follows the rules of a job that ended until they end too', async () => {
    let reads = 0;
    const answer = () => {
      reads++;
      return job('train-1', {
        Spec: {
          DebugRuleConfigurations: [
            { RuleConfigurationName: 'LossNotDecreasing', RuleParameters: {} }
          ]
        },
        Status: 'Completed',
        Outputs: {
          DebugRuleEvaluationStatuses: [
            {
              RuleConfigurationName: 'LossNotDecreasing',
              RuleEvaluationStatus: reads < 3 ? 'InProgress' : 'NoIssuesFound'
            }
          ]
        }
      });
    };
    mockApi({
      'GET training-jobs/train-1': answer,
      'GET training-jobs/train-1/logs': { Text: '', NextOffset: 0 },
      'GET training-jobs/train-1/debugger/tensors': { Tensors: [], Skipped: [] }
    });
    const node = show();
    await waitFor(() => !!tab(node, 'debugger'));
    tab(node, 'debugger').click();
    await waitFor(
      () =>
        !!node.querySelector(
          'tr[data-rule="LossNotDecreasing"][data-status="NoIssuesFound"]'
        )
    );
    const settledAt = reads;
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(reads).toBe(settledAt); // nothing changes any more: no more reads
    expect(text(node)).toContain('No tensors saved yet');
  });

  it('says how to add rules and profiling when the job has neither', async () => {
    mockApi({
      'GET training-jobs/train-1': job('train-1', {
        Spec: { ResourceConfig: { InstanceCount: 1 } }
      }),
      'GET training-jobs/train-1/logs': { Text: '', NextOffset: 0 },
      'GET training-jobs/train-1/profiler': {
        ProfilingStatus: 'Disabled',
        IntervalMillis: 500,
        Hosts: [],
        Report: false
      }
    });
    const node = show();
    await waitFor(() => !!tab(node, 'debugger'));
    expect(text(tab(node, 'debugger'))).toBe('Debugger');
    tab(node, 'debugger').click();
    await waitFor(() => text(node).includes('No Debugger configured'));
    expect(text(node)).toContain('rule_configs.loss_not_decreasing()');
    tab(node, 'profiler').click();
    await waitFor(() => text(node).includes('Profiling is disabled'));
    expect(text(node)).toContain('ProfilerConfig');
  });

  it('charts the hosts’ samples, polls only what is new, links the report', async () => {
    const since: unknown[] = [];
    mockApi({
      'GET training-jobs/train-1': job('train-1', DEBUGGED),
      'GET training-jobs/train-1/logs': { Text: '', NextOffset: 0 },
      'GET training-jobs/train-1/profiler': (
        query: Record<string, unknown>
      ) => {
        since.push(query.since);
        const t = since.length;
        return {
          ProfilingStatus: 'Enabled',
          IntervalMillis: 500,
          Report: t > 1,
          Hosts: ['algo-1', 'algo-2'].map(Host => ({
            Host,
            Timestamps: [t],
            Series: { cpu_percent: [t * 10], memory_percent: [40] }
          }))
        };
      }
    });
    const node = show();
    await waitFor(() => !!tab(node, 'profiler'));
    tab(node, 'profiler').click();
    await waitFor(
      () => node.querySelectorAll('.jp-mlstudio-ProfilerChart').length === 2
    );
    expect(
      Array.from(
        node.querySelectorAll('.jp-mlstudio-ProfilerChart figcaption')
      ).map(text)
    ).toEqual(['CPU utilisation', 'Memory']);
    expect(text(node)).toContain('Sampled every 500 ms on 2 host(s).');
    await waitFor(() => since.length >= 3);
    expect(since[0]).toBeUndefined();
    expect(since[1]).toBe(1);
    await waitFor(() => !!node.querySelector('a.jp-mlstudio-ProfilerReport'));
    const link = node.querySelector(
      'a.jp-mlstudio-ProfilerReport'
    ) as HTMLAnchorElement;
    expect(link.href).toContain(
      '/mlstudio/api/training-jobs/train-1/profiler/report'
    );
    expect(link.target).toBe('_blank');
    expect(model!.profiler.profile!.Hosts[0].Timestamps.slice(0, 2)).toEqual([
      1, 2
    ]);
    expect(text(node)).toContain('ProfilerReport');
  });
});

describe('the Jobs section', () => {
  let widget: Widget | null = null;
  afterEach(() => widget?.dispose());

  it('marks a training job whose rules found issues', async () => {
    mockApi({
      ...EMPTY_API,
      'GET training-jobs': {
        TrainingJobSummaries: [job('train-1', DEBUGGED), job('train-2')]
      }
    });
    const model = new JobsModel({ standby: 'never' });
    widget = ReactWidget.create(<JobsSection model={model} trans={trans} />);
    Widget.attach(widget, document.body);
    model.active = true;
    await waitFor(() => !!widget!.node.querySelector('[data-job="train-2"]'));
    const flagged = widget.node.querySelector(
      '[data-job="train-1"] .jp-mlstudio-Row-issues'
    );
    expect(flagged).not.toBeNull();
    expect(text(flagged!)).toBe('1 issue(s)');
    expect(flagged!.getAttribute('title')).toBe(
      'Issues found by LossNotDecreasing'
    );
    expect(
      widget.node.querySelector('[data-job="train-2"] .jp-mlstudio-Row-issues')
    ).toBeNull();
    model.dispose();
  });
});
