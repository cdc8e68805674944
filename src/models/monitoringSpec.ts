/**
 * The pure part of an endpoint's Monitoring tab and of the sidebar's violations badge:
 * what a schedule expression means, which executions still change, the features of a
 * report in the order shown, the overlaid histograms of a feature (the baseline's KLL
 * buckets and the window counted in them, as shares so that a 100-record window and a
 * million-row baseline compare), the drift distance over time with the threshold, and
 * which endpoints' latest execution found violations.
 */
import type {
  IDriftPoint,
  IFeatureDrift,
  IMonitoringExecution,
  IMonitoringReport,
  IMonitoringReportResponse,
  IMonitoringScheduleSummary,
  IViolation
} from '../api/monitoring';
import type { PlotData, PlotLayout } from '../components/Plot';

/** A chart: its traces and what its layout adds to the theme's. */
export interface IFigure {
  data: PlotData[];
  layout: PlotLayout;
}

/** What a schedule expression means (SageMaker's allowed forms; anything else 'other'). */
export type ScheduleCadence =
  | { kind: 'now' }
  | { kind: 'hourly' }
  | { kind: 'daily'; hour: number }
  | { kind: 'every'; hours: number }
  | { kind: 'other'; expression: string };

/**
 * Read a schedule expression: `NOW`, `cron(0 * ? * * *)` (hourly), `cron(0 H ? * * *)`
 * (daily at H UTC), `cron(0 *\/N ? * * *)` (every N hours).
 */
export function scheduleCadence(
  expression: string | null | undefined
): ScheduleCadence {
  const value = (expression ?? '').trim();
  if (value.toUpperCase() === 'NOW') {
    return { kind: 'now' };
  }
  const cron = /^cron\((.*)\)$/i.exec(value);
  const fields = cron ? cron[1].trim().split(/\s+/) : [];
  if (
    fields.length === 6 &&
    fields[0] === '0' &&
    fields.slice(2).join(' ') === '? * * *'
  ) {
    const hour = fields[1];
    if (hour === '*') {
      return { kind: 'hourly' };
    }
    if (/^\d{1,2}$/.test(hour) && Number(hour) < 24) {
      return { kind: 'daily', hour: Number(hour) };
    }
    const every = /^\*\/(\d{1,2})$/.exec(hour);
    if (every && Number(every[1]) >= 1 && Number(every[1]) <= 23) {
      const hours = Number(every[1]);
      return hours === 1 ? { kind: 'hourly' } : { kind: 'every', hours };
    }
  }
  return { kind: 'other', expression: value };
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000]
];

/**
 * A time to come in words, "in 25 minutes", "in 2 hours" (JupyterLab's
 * `Time.formatHuman` rounds a time to come up to the next year); a past time says
 * how long ago. Empty for a missing or unreadable time.
 */
export function timeUntil(
  iso: string | null | undefined,
  now: number = Date.now()
): string {
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time)) {
    return '';
  }
  const delta = time - now;
  const lang =
    (typeof document !== 'undefined' && document.documentElement.lang) || 'en';
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size) {
      return format.format(Math.round(delta / size), unit);
    }
  }
  return format.format(0, 'second');
}

/**
 * Whether a schedule has nothing left to run: a one-time run (NOW) that ran. Start and
 * stop then change nothing.
 */
export function oneTimeRunDone(schedule: IMonitoringScheduleSummary): boolean {
  return (
    scheduleCadence(schedule.ScheduleExpression).kind === 'now' &&
    !!schedule.LastMonitoringExecutionSummary &&
    !schedule.NextScheduledTime
  );
}

/** Whether an execution may still change (its status is not final). */
export function isExecutionLive(status: string | null | undefined): boolean {
  return (
    status === 'Pending' || status === 'InProgress' || status === 'Stopping'
  );
}

/** Whether an execution has a report (it completed, with or without violations). */
export function hasReport(status: string | null | undefined): boolean {
  return status === 'Completed' || status === 'CompletedWithViolations';
}

/**
 * Whether the tab should poll fast: an execution runs or waits, or a schedule is being
 * set up.
 */
export function monitoringLive(
  schedules: readonly IMonitoringScheduleSummary[],
  executions: readonly IMonitoringExecution[]
): boolean {
  return (
    executions.some(e => isExecutionLive(e.MonitoringExecutionStatus)) ||
    schedules.some(
      s =>
        s.MonitoringScheduleStatus === 'Pending' ||
        isExecutionLive(
          s.LastMonitoringExecutionSummary?.MonitoringExecutionStatus
        )
    )
  );
}

/**
 * The schedule shown first: the one whose latest execution is the newest, else the
 * newest schedule (the list's first).
 */
export function defaultSchedule(
  schedules: readonly IMonitoringScheduleSummary[]
): string {
  let best: IMonitoringScheduleSummary | undefined;
  let bestTime = -Infinity;
  for (const schedule of schedules) {
    const time = Date.parse(
      schedule.LastMonitoringExecutionSummary?.ScheduledTime ?? ''
    );
    if (!Number.isNaN(time) && time > bestTime) {
      best = schedule;
      bestTime = time;
    }
  }
  return (best ?? schedules[0])?.MonitoringScheduleName ?? '';
}

const finite = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** The members of `values` that are finite numbers. */
function numbers(
  values: Record<string, number | null> | null | undefined
): Record<string, number> {
  const kept: Record<string, number> = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    if (finite(value)) {
      kept[key] = value;
    }
  }
  return kept;
}

/**
 * The report with every member the tab reads filled in: features without a name and
 * buckets without bounds are left out, missing counts are 0, missing texts empty,
 * distances that are not numbers dropped.
 */
export function normalizeReport(
  raw: IMonitoringReportResponse
): IMonitoringReport {
  return {
    MonitoringScheduleName: raw.MonitoringScheduleName,
    ProcessingJobName: raw.ProcessingJobName ?? null,
    ScheduledTime: raw.ScheduledTime ?? null,
    RecordCount: raw.RecordCount ?? 0,
    ParseErrors: raw.ParseErrors ?? 0,
    Features: (raw.Features ?? [])
      .filter(f => !!f.Name)
      .map(f => ({
        Name: f.Name as string,
        InferredType: f.InferredType ?? null,
        Distance: finite(f.Distance) ? f.Distance : null,
        Threshold: finite(f.Threshold) ? f.Threshold : null,
        Bins: (f.Bins ?? [])
          .filter(b => finite(b.LowerBound) && finite(b.UpperBound))
          .map(b => ({
            LowerBound: b.LowerBound as number,
            UpperBound: b.UpperBound as number,
            BaselineCount: b.BaselineCount ?? 0,
            WindowCount: b.WindowCount ?? 0
          })),
        Categories: (f.Categories ?? []).map(c => ({
          Value: c.Value ?? '',
          BaselineCount: c.BaselineCount ?? 0,
          WindowCount: c.WindowCount ?? 0
        }))
      })),
    Violations: (raw.Violations ?? []).map(v => ({
      FeatureName: v.FeatureName ?? '',
      ConstraintCheckType: v.ConstraintCheckType ?? '',
      Description: v.Description ?? ''
    })),
    DriftHistory: (raw.DriftHistory ?? []).map(point => ({
      ScheduledTime: point.ScheduledTime,
      ProcessingJobName: point.ProcessingJobName ?? null,
      Distances: numbers(point.Distances)
    }))
  };
}

/** Whether a feature's distance is above its threshold. */
export function drifted(feature: IFeatureDrift): boolean {
  return (
    typeof feature.Distance === 'number' &&
    typeof feature.Threshold === 'number' &&
    feature.Distance > feature.Threshold
  );
}

/** The names of the features a violation names. */
export function violatedFeatures(
  violations: readonly IViolation[]
): Set<string> {
  return new Set(
    violations.map(v => v.FeatureName ?? '').filter(name => !!name)
  );
}

/**
 * The features in the order shown: those that drifted or were violated first, then
 * by distance (largest first), then by name.
 */
export function sortedFeatures(
  features: readonly IFeatureDrift[],
  violations: readonly IViolation[] = []
): IFeatureDrift[] {
  const violated = violatedFeatures(violations);
  const rank = (f: IFeatureDrift) =>
    drifted(f) || violated.has(f.Name) ? 0 : 1;
  const distance = (f: IFeatureDrift) =>
    typeof f.Distance === 'number' ? f.Distance : -1;
  return [...features].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      distance(b) - distance(a) ||
      a.Name.localeCompare(b.Name)
  );
}

/** A distance or threshold in few characters; an em dash when there is none. */
export function formatDistance(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return '—';
  }
  return value.toFixed(value !== 0 && Math.abs(value) < 0.001 ? 5 : 3);
}

/** `count` of `total` in percent (0 when there is nothing). */
function share(count: number, total: number): number {
  return total > 0 ? (100 * count) / total : 0;
}

const sum = (values: readonly number[]) =>
  values.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);

/** The labels of the two distributions. */
export interface IOverlayLabels {
  baseline: string;
  window: string;
  /** The y axis: each bar's share of its distribution's records. */
  share: string;
}

const DEFAULT_LABELS: IOverlayLabels = {
  baseline: 'baseline',
  window: 'latest window',
  share: 'share of records (%)'
};

/**
 * A feature's baseline against the window: for a numeric feature a bar per bucket of the
 * baseline's sketch (as wide as the bucket), overlaid; for a string feature a bar per
 * value, side by side. Bars are shares (%) of each side's records; the hover tells the
 * counts. Null when the feature has neither buckets nor values.
 */
export function overlayFigure(
  feature: IFeatureDrift,
  labels: IOverlayLabels = DEFAULT_LABELS
): IFigure | null {
  const bins = (feature.Bins ?? []).filter(
    bin => Number.isFinite(bin.LowerBound) && Number.isFinite(bin.UpperBound)
  );
  const categories = feature.Categories ?? [];
  const side = (name: string, colour: string) => ({
    type: 'bar' as const,
    name,
    marker: { color: colour, line: { width: 0 } }
  });
  const baselineColour = 'rgba(31, 119, 180, 0.55)';
  const windowColour = 'rgba(255, 127, 14, 0.55)';
  if (bins.length) {
    const span =
      Math.max(...bins.map(b => b.UpperBound)) -
      Math.min(...bins.map(b => b.LowerBound));
    // A bucket whose bounds meet (one repeated value) still gets a visible bar.
    const minWidth = span > 0 ? span / (bins.length * 4) : 1;
    const x = bins.map(b =>
      b.UpperBound > b.LowerBound
        ? (b.LowerBound + b.UpperBound) / 2
        : b.LowerBound
    );
    const width = bins.map(b =>
      Math.max(b.UpperBound - b.LowerBound, minWidth)
    );
    const range = bins.map(b => [b.LowerBound, b.UpperBound]);
    const baselineTotal = sum(bins.map(b => b.BaselineCount));
    const windowTotal = sum(bins.map(b => b.WindowCount));
    const trace = (
      name: string,
      colour: string,
      counts: number[],
      total: number
    ): PlotData => ({
      ...side(name, colour),
      x,
      width,
      y: counts.map(count => share(count, total)),
      customdata: counts.map((count, i) => [count, ...range[i]]) as never,
      hovertemplate: `${name}<br>[%{customdata[1]:.4g}, %{customdata[2]:.4g}): %{customdata[0]} (%{y:.1f}%)<extra></extra>`
    });
    return {
      data: [
        trace(
          labels.baseline,
          baselineColour,
          bins.map(b => b.BaselineCount),
          baselineTotal
        ),
        trace(
          labels.window,
          windowColour,
          bins.map(b => b.WindowCount),
          windowTotal
        )
      ],
      layout: {
        barmode: 'overlay',
        bargap: 0,
        xaxis: { title: { text: feature.Name } },
        yaxis: { title: { text: labels.share }, rangemode: 'tozero' }
      }
    };
  }
  if (categories.length) {
    const x = categories.map(c => c.Value);
    const baselineTotal = sum(categories.map(c => c.BaselineCount));
    const windowTotal = sum(categories.map(c => c.WindowCount));
    const trace = (
      name: string,
      colour: string,
      counts: number[],
      total: number
    ): PlotData => ({
      ...side(name, colour),
      x,
      y: counts.map(count => share(count, total)),
      customdata: counts as never,
      hovertemplate: `${name}<br>%{x}: %{customdata} (%{y:.1f}%)<extra></extra>`
    });
    return {
      data: [
        trace(
          labels.baseline,
          baselineColour,
          categories.map(c => c.BaselineCount),
          baselineTotal
        ),
        trace(
          labels.window,
          windowColour,
          categories.map(c => c.WindowCount),
          windowTotal
        )
      ],
      layout: {
        barmode: 'group',
        xaxis: { title: { text: feature.Name }, type: 'category' },
        yaxis: { title: { text: labels.share }, rangemode: 'tozero' }
      }
    };
  }
  return null;
}

const HOUR = 3_600_000;

/** The labels of the drift chart. */
export interface IDriftLabels {
  distance: string;
  threshold: string;
}

/**
 * A feature's drift distance at each execution (oldest first), with its threshold as
 * a dashed horizontal line across the chart. Null when no execution measured it.
 */
export function driftFigure(
  history: readonly IDriftPoint[],
  feature: string,
  threshold: number | null | undefined,
  labels: IDriftLabels = { distance: 'distance', threshold: 'threshold' }
): IFigure | null {
  const points = history
    .filter(
      point =>
        !Number.isNaN(Date.parse(point.ScheduledTime)) &&
        typeof point.Distances?.[feature] === 'number'
    )
    .sort((a, b) => Date.parse(a.ScheduledTime) - Date.parse(b.ScheduledTime));
  if (!points.length) {
    return null;
  }
  const y = points.map(point => point.Distances[feature] as number);
  const data: PlotData[] = [
    {
      type: 'scatter',
      mode: points.length > 1 ? 'lines+markers' : 'markers',
      name: labels.distance,
      x: points.map(point => point.ScheduledTime),
      y,
      text: points.map(point => point.ProcessingJobName ?? ''),
      marker: { size: 7 },
      hovertemplate: `%{x}<br>${labels.distance} %{y:.4f}<br>%{text}<extra></extra>`
    }
  ];
  const times = points.map(point => Date.parse(point.ScheduledTime));
  const first = Math.min(...times);
  const last = Math.max(...times);
  // One execution, or all at once: an hour either side rather than milliseconds.
  const pad = last - first < HOUR ? HOUR : 0;
  const layout: PlotLayout = {
    showlegend: false,
    xaxis: {
      type: 'date',
      ...(pad
        ? {
            range: [
              new Date(first - pad).toISOString(),
              new Date(last + pad).toISOString()
            ]
          }
        : {})
    },
    yaxis: { title: { text: labels.distance }, rangemode: 'tozero' }
  };
  if (typeof threshold === 'number' && Number.isFinite(threshold)) {
    layout.shapes = [
      {
        type: 'line',
        xref: 'paper',
        x0: 0,
        x1: 1,
        yref: 'y',
        y0: threshold,
        y1: threshold,
        line: { color: 'rgb(214, 39, 40)', width: 1.5, dash: 'dash' }
      }
    ];
    layout.annotations = [
      {
        xref: 'paper',
        x: 1,
        xanchor: 'right',
        yref: 'y',
        y: threshold,
        yanchor: 'bottom',
        text: `${labels.threshold} ${formatDistance(threshold)}`,
        showarrow: false,
        font: { color: 'rgb(214, 39, 40)' }
      }
    ];
    // Keep the line in view when every distance is far below it.
    layout.yaxis = {
      ...layout.yaxis,
      range: [0, Math.max(threshold, ...y) * 1.15 || 1]
    };
  }
  return { data, layout };
}

/** The schedules whose latest execution found violations, by endpoint. */
export function violationsByEndpoint(
  schedules: readonly IMonitoringScheduleSummary[]
): Map<string, IMonitoringScheduleSummary[]> {
  const found = new Map<string, IMonitoringScheduleSummary[]>();
  for (const schedule of schedules) {
    const latest = schedule.LastMonitoringExecutionSummary;
    const endpoint = schedule.EndpointName ?? latest?.EndpointName;
    if (
      endpoint &&
      latest?.MonitoringExecutionStatus === 'CompletedWithViolations'
    ) {
      found.set(endpoint, [...(found.get(endpoint) ?? []), schedule]);
    }
  }
  return found;
}

/** How many violations the latest executions of `schedules` found (null: not told). */
export function violationTotal(
  schedules: readonly IMonitoringScheduleSummary[]
): number | null {
  const counts = schedules.map(
    s => s.LastMonitoringExecutionSummary?.ViolationCount
  );
  return counts.every(count => typeof count === 'number')
    ? sum(counts as number[])
    : null;
}
