import type {
  IDriftPoint,
  IFeatureDrift,
  IMonitoringExecution,
  IMonitoringReportResponse,
  IMonitoringScheduleSummary,
  MonitoringExecutionStatus
} from '../api/monitoring';
import {
  defaultSchedule,
  drifted,
  driftFigure,
  formatDistance,
  hasReport,
  isExecutionLive,
  monitoringLive,
  normalizeReport,
  oneTimeRunDone,
  overlayFigure,
  scheduleCadence,
  sortedFeatures,
  timeUntil,
  violationsByEndpoint,
  violationTotal
} from '../models/monitoringSpec';
import {
  execution as makeExecution,
  schedule as makeSchedule
} from './monitoringFixtures';

const execution = (
  status: MonitoringExecutionStatus,
  extra: Partial<IMonitoringExecution> = {}
) => makeExecution('j', status, { MonitoringScheduleName: 's', ...extra });

const schedule = (
  name: string,
  extra: Partial<IMonitoringScheduleSummary> = {}
) => makeSchedule({ MonitoringScheduleName: name, ...extra });

describe('scheduleCadence', () => {
  it.each([
    ['NOW', { kind: 'now' }],
    ['now', { kind: 'now' }],
    ['cron(0 * ? * * *)', { kind: 'hourly' }],
    ['cron(0 */1 ? * * *)', { kind: 'hourly' }],
    ['cron(0 7 ? * * *)', { kind: 'daily', hour: 7 }],
    ['cron(0 */6 ? * * *)', { kind: 'every', hours: 6 }],
    ['cron(30 * ? * * *)', { kind: 'other', expression: 'cron(30 * ? * * *)' }],
    ['cron(0 25 ? * * *)', { kind: 'other', expression: 'cron(0 25 ? * * *)' }],
    [
      'cron(0 */24 ? * * *)',
      { kind: 'other', expression: 'cron(0 */24 ? * * *)' }
    ],
    ['', { kind: 'other', expression: '' }]
  ])('reads %s', (expression, cadence) => {
    expect(scheduleCadence(expression)).toEqual(cadence);
  });
});

describe('timeUntil', () => {
  const now = Date.parse('2026-12-06T10:00:00Z');
  it('says when a time comes, in the largest whole unit', () => {
    expect(timeUntil('2026-12-06T10:30:00Z', now)).toBe('in 30 minutes');
    expect(timeUntil('2026-12-06T11:00:00Z', now)).toBe('in 1 hour');
    expect(timeUntil('2026-12-06T12:40:00Z', now)).toBe('in 3 hours');
    expect(timeUntil('2026-12-08T10:00:00Z', now)).toBe('in 2 days');
    expect(timeUntil('2026-12-06T10:00:20Z', now)).toBe('in 20 seconds');
    expect(timeUntil('2026-12-06T10:00:00Z', now)).toBe('now');
    expect(timeUntil('2026-12-06T09:55:00Z', now)).toBe('5 minutes ago');
    expect(timeUntil(null, now)).toBe('');
    expect(timeUntil('soon', now)).toBe('');
  });
});

describe('execution statuses', () => {
  it('tells which executions may change and which have a report', () => {
    expect(
      ['Pending', 'InProgress', 'Stopping'].every(s => isExecutionLive(s))
    ).toBe(true);
    expect(
      ['Completed', 'CompletedWithViolations', 'Failed', 'Stopped'].some(s =>
        isExecutionLive(s)
      )
    ).toBe(false);
    expect(hasReport('Completed')).toBe(true);
    expect(hasReport('CompletedWithViolations')).toBe(true);
    expect(hasReport('Failed')).toBe(false);
    expect(hasReport(undefined)).toBe(false);
  });

  it('polls fast while an execution runs or a schedule is pending', () => {
    expect(monitoringLive([schedule('a')], [execution('Completed')])).toBe(
      false
    );
    expect(monitoringLive([schedule('a')], [execution('InProgress')])).toBe(
      true
    );
    expect(
      monitoringLive(
        [schedule('a', { MonitoringScheduleStatus: 'Pending' })],
        []
      )
    ).toBe(true);
    expect(
      monitoringLive(
        [
          schedule('a', {
            LastMonitoringExecutionSummary: execution('Pending')
          })
        ],
        []
      )
    ).toBe(true);
  });

  it('tells a one-time run that ran from one still to come', () => {
    const ran = execution('Completed');
    expect(
      oneTimeRunDone(
        schedule('a', {
          ScheduleExpression: 'NOW',
          NextScheduledTime: null,
          LastMonitoringExecutionSummary: ran
        })
      )
    ).toBe(true);
    // not run yet, or still to run
    expect(
      oneTimeRunDone(
        schedule('b', { ScheduleExpression: 'NOW', NextScheduledTime: null })
      )
    ).toBe(false);
    expect(
      oneTimeRunDone(
        schedule('b', {
          ScheduleExpression: 'NOW',
          LastMonitoringExecutionSummary: ran
        })
      )
    ).toBe(false);
    expect(
      oneTimeRunDone(
        schedule('c', {
          ScheduleExpression: 'cron(0 * ? * * *)',
          LastMonitoringExecutionSummary: ran
        })
      )
    ).toBe(false);
  });

  it('shows first the schedule whose latest execution is the newest', () => {
    const older = schedule('older', {
      LastMonitoringExecutionSummary: execution('Completed', {
        ScheduledTime: '2026-12-06T08:00:00Z'
      })
    });
    const newer = schedule('newer', {
      LastMonitoringExecutionSummary: execution('Completed', {
        ScheduledTime: '2026-12-06T09:00:00Z'
      })
    });
    expect(defaultSchedule([older, schedule('none'), newer])).toBe('newer');
    expect(defaultSchedule([schedule('first'), schedule('second')])).toBe(
      'first'
    );
    expect(defaultSchedule([])).toBe('');
  });
});

const numeric: IFeatureDrift = {
  Name: 'age',
  InferredType: 'Fractional',
  Distance: 0.42,
  Threshold: 0.1,
  Bins: [
    { LowerBound: 0, UpperBound: 10, BaselineCount: 600, WindowCount: 5 },
    { LowerBound: 10, UpperBound: 20, BaselineCount: 300, WindowCount: 15 },
    { LowerBound: 20, UpperBound: 20, BaselineCount: 100, WindowCount: 30 }
  ]
};

describe('features', () => {
  it('tells drift by the threshold and sorts the flagged features first', () => {
    const calm: IFeatureDrift = { Name: 'b', Distance: 0.05, Threshold: 0.1 };
    const unmeasured: IFeatureDrift = { Name: 'a', Distance: null };
    const violated: IFeatureDrift = {
      Name: 'c',
      Distance: 0.01,
      Threshold: 0.1
    };
    expect(drifted(numeric)).toBe(true);
    expect(drifted(calm)).toBe(false);
    expect(drifted(unmeasured)).toBe(false);
    expect(
      sortedFeatures(
        [unmeasured, calm, violated, numeric],
        [
          {
            FeatureName: 'c',
            ConstraintCheckType: 'data_type_check',
            Description: 'x'
          }
        ]
      ).map(f => f.Name)
    ).toEqual(['age', 'c', 'b', 'a']);
  });

  it('formats distances', () => {
    expect(formatDistance(0.41234)).toBe('0.412');
    expect(formatDistance(0)).toBe('0.000');
    expect(formatDistance(0.00012)).toBe('0.00012');
    expect(formatDistance(null)).toBe('—');
    expect(formatDistance(Number.NaN)).toBe('—');
  });
});

describe('normalizeReport', () => {
  it('fills in what the route may leave null or out', () => {
    // What a route might send: members left out or null (as JSON, not as typed).
    const raw = {
      MonitoringScheduleName: 's',
      Features: [
        {
          Name: 'x1',
          Distance: null,
          Threshold: 0.1,
          Bins: [
            {
              LowerBound: 0,
              UpperBound: 1,
              BaselineCount: null,
              WindowCount: 3
            },
            { LowerBound: null, UpperBound: 2, BaselineCount: 1 }
          ],
          Categories: null
        },
        { Name: null, Distance: 1 },
        { Name: 'city', Categories: [{ Value: null, WindowCount: 2 }] }
      ],
      Violations: [
        { FeatureName: 'auc', ConstraintCheckType: null, Description: null }
      ],
      DriftHistory: [
        {
          ScheduledTime: '2026-12-06T10:00:00Z',
          Distances: { x1: 0.2, city: null }
        },
        { ScheduledTime: '2026-12-06T11:00:00Z', Distances: null }
      ]
    };
    const report = normalizeReport(raw as unknown as IMonitoringReportResponse);
    expect(report).toEqual({
      MonitoringScheduleName: 's',
      ProcessingJobName: null,
      ScheduledTime: null,
      RecordCount: 0,
      ParseErrors: 0,
      Features: [
        {
          Name: 'x1',
          InferredType: null,
          Distance: null,
          Threshold: 0.1,
          Bins: [
            { LowerBound: 0, UpperBound: 1, BaselineCount: 0, WindowCount: 3 }
          ],
          Categories: []
        },
        {
          Name: 'city',
          InferredType: null,
          Distance: null,
          Threshold: null,
          Bins: [],
          Categories: [{ Value: '', BaselineCount: 0, WindowCount: 2 }]
        }
      ],
      Violations: [
        { FeatureName: 'auc', ConstraintCheckType: '', Description: '' }
      ],
      DriftHistory: [
        {
          ScheduledTime: '2026-12-06T10:00:00Z',
          ProcessingJobName: null,
          Distances: { x1: 0.2 }
        },
        {
          ScheduledTime: '2026-12-06T11:00:00Z',
          ProcessingJobName: null,
          Distances: {}
        }
      ]
    });
    const bare = { MonitoringScheduleName: 's' } as IMonitoringReportResponse;
    expect(normalizeReport(bare).Features).toEqual([]);
  });
});

describe('overlayFigure', () => {
  it('overlays the two sides as shares of their records, bucket by bucket', () => {
    const figure = overlayFigure(numeric)!;
    expect(figure.layout.barmode).toBe('overlay');
    const [baseline, window] = figure.data;
    expect(baseline.name).toBe('baseline');
    expect(window.name).toBe('latest window');
    // a bar per bucket, at its middle and as wide as it (a point bucket gets a width)
    expect(baseline.x).toEqual([5, 15, 20]);
    expect(baseline.width).toEqual([10, 10, 20 / 12]);
    // 1000 baseline rows against 50 window records: shares, not counts
    expect(baseline.y).toEqual([60, 30, 10]);
    expect(window.y).toEqual([10, 30, 60]);
    // the counts and bounds stay for the hover
    expect((window.customdata as unknown as number[][])[0]).toEqual([5, 0, 10]);
  });

  it('puts string values side by side', () => {
    const figure = overlayFigure(
      {
        Name: 'city',
        InferredType: 'String',
        Categories: [
          { Value: 'Paris', BaselineCount: 3, WindowCount: 0 },
          { Value: 'Lyon', BaselineCount: 1, WindowCount: 4 }
        ]
      },
      { baseline: 'b', window: 'w', share: '%' }
    )!;
    expect(figure.layout.barmode).toBe('group');
    expect(figure.data.map(t => t.name)).toEqual(['b', 'w']);
    expect(figure.data[0].x).toEqual(['Paris', 'Lyon']);
    expect(figure.data[0].y).toEqual([75, 25]);
    expect(figure.data[1].y).toEqual([0, 100]);
  });

  it('answers null without buckets or values, and zero shares for an empty side', () => {
    expect(overlayFigure({ Name: 'x', Bins: [], Categories: null })).toBeNull();
    const figure = overlayFigure({
      Name: 'x',
      Bins: [{ LowerBound: 1, UpperBound: 2, BaselineCount: 4, WindowCount: 0 }]
    })!;
    expect(figure.data[1].y).toEqual([0]);
  });
});

describe('driftFigure', () => {
  const history: IDriftPoint[] = [
    {
      ScheduledTime: '2026-12-06T11:00:00Z',
      ProcessingJobName: 'j2',
      Distances: { age: 0.4, city: null }
    },
    {
      ScheduledTime: '2026-12-06T10:00:00Z',
      ProcessingJobName: 'j1',
      Distances: { age: 0.05 }
    }
  ];

  it('charts the distance oldest first with the threshold line', () => {
    const figure = driftFigure(history, 'age', 0.1)!;
    expect(figure.data).toHaveLength(1);
    expect(figure.data[0].x).toEqual([
      '2026-12-06T10:00:00Z',
      '2026-12-06T11:00:00Z'
    ]);
    expect(figure.data[0].y).toEqual([0.05, 0.4]);
    expect(figure.data[0].text).toEqual(['j1', 'j2']);
    const [line] = figure.layout.shapes!;
    expect(line).toMatchObject({
      y0: 0.1,
      y1: 0.1,
      xref: 'paper',
      x0: 0,
      x1: 1
    });
    expect(figure.layout.annotations![0].text).toBe('threshold 0.100');
    expect(figure.layout.yaxis!.range).toEqual([0, 0.4 * 1.15]);
    expect(figure.layout.xaxis!.range).toBeUndefined();
  });

  it('keeps the threshold in view when the distances are far below it', () => {
    const figure = driftFigure(history.slice(1), 'age', 0.5)!;
    expect(figure.data[0].mode).toBe('markers');
    // one execution: an hour either side, not a range of milliseconds
    expect(figure.layout.xaxis!.range).toEqual([
      '2026-12-06T09:00:00.000Z',
      '2026-12-06T11:00:00.000Z'
    ]);
    expect(figure.layout.yaxis!.range![1]).toBeCloseTo(0.575);
  });

  it('draws no line without a threshold and nothing without a distance', () => {
    expect(driftFigure(history, 'age', null)!.layout.shapes).toBeUndefined();
    expect(driftFigure(history, 'city', 0.1)).toBeNull();
    expect(driftFigure([], 'age', 0.1)).toBeNull();
  });
});

describe('the sidebar badge', () => {
  it('marks the endpoints whose latest execution found violations', () => {
    const found = violationsByEndpoint([
      schedule('a', {
        LastMonitoringExecutionSummary: execution('CompletedWithViolations', {
          ViolationCount: 2
        })
      }),
      schedule('b', {
        LastMonitoringExecutionSummary: execution('CompletedWithViolations', {
          ViolationCount: 1
        })
      }),
      schedule('calm', {
        EndpointName: 'other',
        LastMonitoringExecutionSummary: execution('Completed', {
          ViolationCount: 0
        })
      }),
      schedule('new', { EndpointName: 'fresh' })
    ]);
    expect([...found.keys()]).toEqual(['churn']);
    expect(found.get('churn')!.map(s => s.MonitoringScheduleName)).toEqual([
      'a',
      'b'
    ]);
    expect(violationTotal(found.get('churn')!)).toBe(3);
    expect(
      violationTotal([
        schedule('x', {
          LastMonitoringExecutionSummary: execution('CompletedWithViolations')
        })
      ])
    ).toBeNull();
  });
});
