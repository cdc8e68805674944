import {
  debuggerConfigured,
  isScalar,
  jobNameOfArn,
  lastSampleTime,
  mergeProfile,
  profilerConfigured,
  profilerFigures,
  ruleStatuses,
  rulesRunning,
  rulesWithIssues,
  seriesLabel,
  tensorFigure,
  tensorsByCollection
} from '../models/debuggerSpec';
import { IProfile } from '../api/debugger';
import { job } from './utils';

const SPEC = {
  DebugHookConfig: { LocalPath: '/opt/ml/output/tensors' },
  DebugRuleConfigurations: [
    {
      RuleConfigurationName: 'LossNotDecreasing',
      RuleParameters: { rule_to_invoke: 'LossNotDecreasing' }
    },
    {
      RuleConfigurationName: 'exploding',
      RuleParameters: { rule_to_invoke: 'ExplodingTensor' }
    },
    {
      RuleConfigurationName: 'Overfit',
      RuleParameters: { rule_to_invoke: 'Overfit' }
    }
  ],
  ProfilerRuleConfigurations: [
    {
      RuleConfigurationName: 'ProfilerReport',
      RuleParameters: { rule_to_invoke: 'ProfilerReport' }
    },
    {
      RuleConfigurationName: 'CPUBottleneck',
      RuleParameters: { rule_to_invoke: 'CPUBottleneck' }
    }
  ]
};

const OUTPUTS = {
  DebugRuleEvaluationStatuses: [
    {
      RuleConfigurationName: 'LossNotDecreasing',
      RuleEvaluationJobArn:
        'arn:mlstudio:sagemaker:local:000000000000:processing-job/train-1-LossNotDecreasing-0a1b2c3d',
      RuleEvaluationStatus: 'IssuesFound',
      StatusDetails: 'loss did not decrease over 10 steps',
      LastModifiedTime: '2026-12-06T20:00:00Z',
      Step: 40
    },
    {
      RuleConfigurationName: 'exploding',
      RuleEvaluationJobName: 'train-1-exploding-11223344',
      RuleEvaluationStatus: 'NoIssuesFound',
      LastModifiedTime: '2026-12-06T20:00:01Z'
    }
  ],
  ProfilerRuleEvaluationStatuses: [
    {
      RuleConfigurationName: 'ProfilerReport',
      RuleEvaluationJobName: 'train-1-ProfilerReport-99887766',
      RuleEvaluationStatus: 'IssuesFound'
    },
    {
      RuleConfigurationName: 'CPUBottleneck',
      RuleEvaluationStatus: 'IssuesFound',
      StatusDetails: 'CPU at 95% while the GPU idled'
    }
  ]
};

describe('rule statuses', () => {
  const training = job('train-1', { Spec: SPEC, Outputs: OUTPUTS });

  it('lists the configured rules in order with their evaluation status', () => {
    const rules = ruleStatuses(training, 'Debug');
    expect(rules.map(rule => [rule.name, rule.status])).toEqual([
      ['LossNotDecreasing', 'IssuesFound'],
      ['exploding', 'NoIssuesFound'],
      ['Overfit', 'InProgress'] // configured, no status recorded yet
    ]);
    expect(rules[0]).toMatchObject({
      details: 'loss did not decrease over 10 steps',
      step: 40,
      lastModified: '2026-12-06T20:00:00Z',
      jobName: 'train-1-LossNotDecreasing-0a1b2c3d',
      rule: undefined // the same as its name
    });
    expect(rules[1].rule).toBe('ExplodingTensor');
    expect(rules[1].jobName).toBe('train-1-exploding-11223344');
    expect(rules[1].step).toBeUndefined();
    expect(rulesRunning(rules)).toBe(true);
    expect(rulesRunning(rules.slice(0, 2))).toBe(false);
  });

  it('keeps statuses whose rule the spec does not name', () => {
    const only = job('t', { Spec: {}, Outputs: OUTPUTS });
    expect(ruleStatuses(only, 'Profiler').map(rule => rule.name)).toEqual([
      'ProfilerReport',
      'CPUBottleneck'
    ]);
  });

  it('reads a processing job name from an evaluation job ARN', () => {
    expect(
      jobNameOfArn('arn:aws:sagemaker:us-east-1:1:processing-job/a-b-1')
    ).toBe('a-b-1');
    expect(jobNameOfArn('arn:aws:sagemaker:us-east-1:1:training-job/a')).toBe(
      undefined
    );
    expect(jobNameOfArn(undefined)).toBeUndefined();
  });

  it('counts the rules that found issues for the badge, not the report', () => {
    expect(rulesWithIssues(training)).toEqual([
      'LossNotDecreasing',
      'CPUBottleneck'
    ]);
    expect(rulesWithIssues({ ...training, Kind: 'ProcessingJob' })).toEqual([]);
    expect(rulesWithIssues(job('plain'))).toEqual([]);
  });

  it('tells whether the Debugger and the profiler were configured', () => {
    expect(debuggerConfigured(training)).toBe(true);
    expect(debuggerConfigured(job('plain'))).toBe(false);
    expect(
      debuggerConfigured(job('h', { Spec: { DebugHookConfig: {} } }))
    ).toBe(false);
    expect(profilerConfigured(training)).toBe(true);
    expect(
      profilerConfigured(
        job('p', {
          Spec: { ProfilerConfig: { ProfilingIntervalInMilliseconds: 500 } }
        })
      )
    ).toBe(true);
    expect(profilerConfigured(job('plain'))).toBe(false);
  });

  it('never throws on fields of another shape', () => {
    const odd = job('odd', {
      Spec: { DebugRuleConfigurations: 'nope' },
      Outputs: { DebugRuleEvaluationStatuses: [null, 3, { Step: 'x' }] }
    });
    const rules = ruleStatuses(odd, 'Debug');
    expect(rules).toHaveLength(3);
    expect(rules.every(rule => rule.status === 'InProgress')).toBe(true);
    expect(rules[2].step).toBeUndefined();
  });
});

describe('tensors', () => {
  const tensors = [
    { Name: 'loss', Collections: ['losses', 'scalars'], Steps: 3, Shape: [] },
    { Name: 'dense/weight', Collections: ['weights'], Steps: 3, Shape: [2, 3] },
    { Name: 'bias', Collections: [], Steps: 1, Shape: [1] }
  ].map(tensor => ({ FirstStep: 0, LastStep: 2, ...tensor }));

  it('groups tensors by collection, in each of theirs', () => {
    const groups = tensorsByCollection(tensors);
    expect(
      groups.map(([name, items]) => [name, items.map(t => t.Name)])
    ).toEqual([
      ['default', ['bias']],
      ['losses', ['loss']],
      ['scalars', ['loss']],
      ['weights', ['dense/weight']]
    ]);
    expect(tensors.map(isScalar)).toEqual([true, false, true]);
  });

  it('charts a scalar as one line, gaps for missing values', () => {
    const figure = tensorFigure({
      Name: 'loss',
      Mode: null,
      Steps: [0, 10, 20],
      Values: [1, null, 0.5],
      Mean: [],
      Min: [],
      Max: [],
      Norm: []
    });
    expect(figure.data).toHaveLength(1);
    expect(figure.data[0]).toMatchObject({ mode: 'lines', x: [0, 10, 20] });
    expect(figure.data[0].y).toEqual([1, NaN, 0.5]);
  });

  it('charts an array as its mean inside a min–max band, norm on demand', () => {
    const figure = tensorFigure({
      Name: 'dense/weight',
      Mode: null,
      Steps: [0, 1],
      Values: [null, null],
      Mean: [0.5, 0.6],
      Min: [0, 0.1],
      Max: [1, 1.1],
      Norm: [2, 3]
    });
    const names = figure.data.map(trace => trace.name);
    expect(names).toEqual(['min', 'min–max', 'mean', 'norm']);
    expect(figure.data[1]).toMatchObject({ fill: 'tonexty', y: [1, 1.1] });
    expect(figure.data[3]).toMatchObject({
      yaxis: 'y2',
      visible: 'legendonly',
      y: [2, 3]
    });
    expect(figure.layout.yaxis2).toMatchObject({ overlaying: 'y' });
  });
});

describe('profiler samples', () => {
  const profile = (hosts: [string, number[], Record<string, number[]>][]) =>
    ({
      ProfilingStatus: 'Enabled',
      IntervalMillis: 500,
      Report: false,
      Hosts: hosts.map(([Host, Timestamps, Series]) => ({
        Host,
        Timestamps,
        Series
      }))
    }) as IProfile;

  it('draws one chart per figure with a line per host', () => {
    const figures = profilerFigures(
      profile([
        [
          'algo-1',
          [1, 2],
          {
            cpu_percent: [10, 20],
            core0_percent: [5, 6],
            core1_percent: [7, 8],
            memory_percent: [30, 31],
            memory_bytes: [1e9, 1e9],
            io_wait_percent: [0, 1],
            disk_read_bytes_per_second: [0, 5],
            disk_write_bytes_per_second: [1, 2],
            net_rx_bytes_per_second: [3, 4],
            gpu0_utilization_percent: [50, 60],
            gpu0_memory_percent: [10, 10],
            gpu0_memory_used_bytes: [1e8, 1e8],
            fancy_counter: [7, 8]
          }
        ],
        [
          'algo-2',
          [1, 2],
          { cpu_percent: [150, 160], memory_percent: [40, 41] }
        ]
      ]).Hosts
    );
    expect(figures.map(figure => figure.id)).toEqual([
      'cpu',
      'cores',
      'memory',
      'iowait',
      'disk',
      'network',
      'gpu',
      'gpu-memory',
      'fancy_counter'
    ]);
    const cpu = figures[0];
    expect(cpu.data.map(trace => trace.name)).toEqual(['algo-1', 'algo-2']);
    expect(cpu.data[1].y).toEqual([150, 160]);
    expect((cpu.data[0].x as unknown as Date[])[1]).toEqual(new Date(2000));
    // several series in one figure: named by host and series
    expect(figures[1].data.map(trace => trace.name)).toEqual([
      'algo-1 core0',
      'algo-1 core1'
    ]);
    expect(figures[4].data.map(trace => trace.name)).toEqual([
      'algo-1 read',
      'algo-1 write'
    ]);
    // the memory figure is a percentage: the bytes are left out
    expect(figures[2].data.map(trace => trace.name)).toEqual([
      'algo-1',
      'algo-2'
    ]);
    expect(figures[8].title).toBe('fancy counter');
    expect(profilerFigures([])).toEqual([]);
  });

  it('names a series by what tells it apart', () => {
    expect(seriesLabel('net_tx_bytes_per_second')).toBe('tx');
    expect(seriesLabel('gpu1_utilization_percent')).toBe('gpu1');
    expect(seriesLabel('cpu_percent')).toBe('cpu_percent');
  });

  it('appends the samples of a poll to those shown, host by host', () => {
    const shown = profile([
      ['algo-1', [1, 2], { cpu_percent: [10, 20] }],
      ['algo-2', [1], { cpu_percent: [5] }]
    ]);
    // the host that lags decides: nothing of it is missed
    expect(lastSampleTime(shown)).toBe(1);
    expect(lastSampleTime(null)).toBeUndefined();
    expect(
      lastSampleTime(profile([['algo-1', [], { cpu_percent: [] }]]))
    ).toBeUndefined();
    const update = {
      ...profile([
        // asked since 1: algo-1's sample at 2 comes again, and is dropped
        ['algo-1', [2, 3], { cpu_percent: [20, 30], memory_percent: [0, 50] }],
        ['algo-10', [3], { cpu_percent: [1] }]
      ]),
      Report: true
    };
    const merged = mergeProfile(shown, update);
    expect(merged.Report).toBe(true);
    expect(merged.Hosts.map(host => host.Host)).toEqual([
      'algo-1',
      'algo-2',
      'algo-10'
    ]);
    expect(merged.Hosts[0].Timestamps).toEqual([1, 2, 3]);
    expect(merged.Hosts[0].Series).toEqual({
      cpu_percent: [10, 20, 30],
      memory_percent: [null, null, 50] // new series: padded before its samples
    });
    expect(merged.Hosts[1].Timestamps).toEqual([1]);
    expect(mergeProfile(null, update)).toBe(update);
  });

  it('keeps at most the newest samples', () => {
    const shown = profile([['algo-1', [1, 2, 3], { cpu_percent: [1, 2, 3] }]]);
    const update = profile([['algo-1', [4, 5], { cpu_percent: [4, 5] }]]);
    const merged = mergeProfile(shown, update, 3);
    expect(merged.Hosts[0].Timestamps).toEqual([3, 4, 5]);
    expect(merged.Hosts[0].Series.cpu_percent).toEqual([3, 4, 5]);
  });
});
