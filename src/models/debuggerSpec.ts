/**
 * The pure part of a training job's Debugger and Profiler tabs: its rules as the record
 * holds them (`Outputs.DebugRuleEvaluationStatuses`, `ProfilerRuleEvaluationStatuses`),
 * whether it was configured, the Jobs-section badge, the tensor chart and the profiler
 * charts (one per figure, a line per host) built from the routes' answers, and merging
 * the samples a poll brings (`since`) into those already shown.
 */
import type {
  IHostProfile,
  IProfile,
  ITensorSeries,
  ITensorSummary
} from '../api/debugger';
import type { IJob, IJobSummary } from '../api/types';
import type { PlotData, PlotLayout } from '../components/Plot';

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(object) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** A rule evaluation's status (SageMaker's RuleEvaluationStatus). */
export type RuleStatus =
  | 'InProgress'
  | 'NoIssuesFound'
  | 'IssuesFound'
  | 'Error'
  | 'Stopping'
  | 'Stopped';

/** One rule of a training job and what its evaluation found so far. */
export interface IRuleStatus {
  /** RuleConfigurationName */
  name: string;
  /** The built-in rule it runs (`RuleParameters.rule_to_invoke`), when the spec says. */
  rule?: string;
  status: RuleStatus | string;
  /** Why it fired, or why it failed (StatusDetails). */
  details?: string;
  /** The step it fired at, when a step applies. */
  step?: number;
  /** When the status last changed (ISO-8601). */
  lastModified?: string;
  /** The processing job that evaluates it (openable in the job view). */
  jobName?: string;
}

/** Which of a training job's two rule lists. */
export type RuleKind = 'Debug' | 'Profiler';

/** The processing job named by a rule evaluation job's ARN (`.../processing-job/<name>`). */
export function jobNameOfArn(arn: string | undefined): string | undefined {
  const match = arn ? /processing-job\/([^/]+)$/.exec(arn) : null;
  return match ? match[1] : undefined;
}

/**
 * The job's rules of one kind with their evaluation status: the configured rules in
 * their order, each with its status once the record has one (InProgress until then).
 */
export function ruleStatuses(
  job: Pick<IJob, 'Spec' | 'Outputs'>,
  kind: RuleKind
): IRuleStatus[] {
  const spec = object(job.Spec);
  const configured = list(spec[`${kind}RuleConfigurations`]);
  const statuses = list(object(job.Outputs)[`${kind}RuleEvaluationStatuses`]);
  const byName = new Map(
    statuses.map(status => [text(status.RuleConfigurationName) ?? '', status])
  );
  const rules: IRuleStatus[] = configured.map(config => {
    const name = text(config.RuleConfigurationName) ?? '';
    return toRule(
      name,
      byName.get(name),
      text(object(config.RuleParameters).rule_to_invoke)
    );
  });
  const known = new Set(rules.map(rule => rule.name));
  for (const status of statuses) {
    const name = text(status.RuleConfigurationName) ?? '';
    if (!known.has(name)) {
      rules.push(toRule(name, status));
    }
  }
  return rules;
}

function toRule(name: string, status?: Json, rule?: string): IRuleStatus {
  const entry = status ?? {};
  const step = Number(entry.Step);
  return {
    name,
    rule: rule && rule !== name ? rule : undefined,
    status: text(entry.RuleEvaluationStatus) ?? 'InProgress',
    details: text(entry.StatusDetails),
    step:
      entry.Step !== undefined && entry.Step !== null && Number.isFinite(step)
        ? step
        : undefined,
    lastModified: text(entry.LastModifiedTime),
    jobName:
      text(entry.RuleEvaluationJobName) ??
      jobNameOfArn(text(entry.RuleEvaluationJobArn))
  };
}

/** Whether the job was created with a Debugger hook or Debugger rules. */
export function debuggerConfigured(job: Pick<IJob, 'Spec'>): boolean {
  const spec = object(job.Spec);
  return (
    Object.keys(object(spec.DebugHookConfig)).length > 0 ||
    list(spec.DebugRuleConfigurations).length > 0
  );
}

/** Whether the job was created with profiler rules or a ProfilerConfig. */
export function profilerConfigured(job: Pick<IJob, 'Spec'>): boolean {
  const spec = object(job.Spec);
  return (
    Object.keys(object(spec.ProfilerConfig)).length > 0 ||
    list(spec.ProfilerRuleConfigurations).length > 0
  );
}

/** The profiler rule whose evaluation writes the HTML report; not a finding itself. */
export const PROFILER_REPORT = 'ProfilerReport';

/**
 * The rules of a training job that found issues (Debugger rules, then profiler rules
 * other than the report): what the Jobs section's badge counts.
 */
export function rulesWithIssues(
  job: Pick<IJobSummary, 'Kind' | 'Spec' | 'Outputs'>
): string[] {
  if (job.Kind !== 'TrainingJob') {
    return [];
  }
  const fired = (kind: RuleKind) =>
    ruleStatuses(job, kind).filter(
      rule =>
        rule.status === 'IssuesFound' &&
        rule.name !== PROFILER_REPORT &&
        rule.rule !== PROFILER_REPORT
    );
  return [...fired('Debug'), ...fired('Profiler')].map(rule => rule.name);
}

/** The rules' evaluations that have not ended yet (the tab keeps polling for them). */
export function rulesRunning(rules: readonly IRuleStatus[]): boolean {
  return rules.some(
    rule => rule.status === 'InProgress' || rule.status === 'Stopping'
  );
}

// --- tensors -------------------------------------------------------------------

/** Whether a tensor is one number per step (a loss) rather than an array. */
export function isScalar(tensor: Pick<ITensorSummary, 'Shape'>): boolean {
  return (tensor.Shape ?? []).every(size => size === 1);
}

/** The tensor list grouped by collection (a tensor in several appears in each). */
export function tensorsByCollection(
  tensors: readonly ITensorSummary[]
): [string, ITensorSummary[]][] {
  const groups = new Map<string, ITensorSummary[]>();
  for (const tensor of tensors) {
    const collections = tensor.Collections?.length
      ? tensor.Collections
      : ['default'];
    for (const collection of collections) {
      const group = groups.get(collection) ?? [];
      group.push(tensor);
      groups.set(collection, group);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

const numbers = (values: readonly (number | null)[] | undefined) =>
  (values ?? []).map(value => (value === null ? NaN : value));

/**
 * The chart of one tensor over steps: a scalar's values as a line; an array's mean as
 * a line inside its min–max band, and its norm on a second axis (hidden until chosen
 * in the legend).
 */
export function tensorFigure(series: ITensorSeries): {
  data: PlotData[];
  layout: PlotLayout;
} {
  const x = series.Steps;
  const layout: PlotLayout = {
    height: 280,
    xaxis: { title: { text: 'step' } },
    yaxis: { title: { text: series.Name } },
    showlegend: true,
    legend: { orientation: 'h', y: -0.25 }
  };
  // Arrays come with a null value per step; a scalar has numbers there.
  if ((series.Values ?? []).some(value => value !== null)) {
    return {
      data: [
        {
          type: 'scatter',
          mode: x.length > 1 ? 'lines' : 'markers',
          name: series.Name,
          x,
          y: numbers(series.Values)
        }
      ],
      layout: { ...layout, showlegend: false }
    };
  }
  const band = {
    type: 'scatter' as const,
    mode: 'lines' as const,
    line: { width: 0 },
    hoverinfo: 'x+y' as const,
    x
  };
  return {
    data: [
      { ...band, name: 'min', y: numbers(series.Min), showlegend: false },
      {
        ...band,
        name: 'min–max',
        y: numbers(series.Max),
        fill: 'tonexty',
        fillcolor: 'rgba(31, 119, 180, 0.2)'
      },
      {
        type: 'scatter',
        mode: x.length > 1 ? 'lines' : 'markers',
        name: 'mean',
        x,
        y: numbers(series.Mean),
        line: { color: 'rgb(31, 119, 180)' }
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: 'norm',
        x,
        y: numbers(series.Norm),
        yaxis: 'y2',
        line: { dash: 'dot' },
        visible: 'legendonly'
      }
    ],
    layout: {
      ...layout,
      yaxis2: {
        title: { text: 'norm' },
        overlaying: 'y',
        side: 'right',
        showgrid: false,
        zeroline: false
      }
    }
  };
}

// --- profiler ------------------------------------------------------------------

/** A chart of the Profiler tab: one figure (CPU, memory, ...) with a line per host. */
export interface IProfilerFigure {
  /** cpu, memory, disk, network, gpu; else the series' own name. */
  id: string;
  /** The series' name for a figure of its own (the view names the known ones). */
  title: string;
  unit: string;
  data: PlotData[];
}

interface IFigureGroup {
  id: string;
  unit: string;
  /** Which series (by name) belong to this figure. */
  match: (series: string) => boolean;
}

/** The figures, in the order they are shown; a series goes to the first that matches. */
const GROUPS: IFigureGroup[] = [
  { id: 'cpu', unit: '%', match: name => name === 'cpu_percent' },
  { id: 'cores', unit: '%', match: name => /^core\d+_percent$/.test(name) },
  { id: 'memory', unit: '%', match: name => name === 'memory_percent' },
  { id: 'iowait', unit: '%', match: name => /^io_?wait/.test(name) },
  { id: 'disk', unit: 'bytes/s', match: name => /^disk_/.test(name) },
  { id: 'network', unit: 'bytes/s', match: name => /^net(work)?_/.test(name) },
  {
    id: 'gpu',
    unit: '%',
    match: name => /^gpu\d*_(utilization|util)/.test(name)
  },
  {
    id: 'gpu-memory',
    unit: '%',
    match: name => /^gpu\d*_memory_percent/.test(name)
  }
];

/** Series the charts leave out: absolute sizes beside the percentages shown. */
const HIDDEN = /^(memory_bytes|gpu\d*_memory_used_bytes)$/;

/**
 * "disk_read_bytes_per_second" → "read", "net_rx_bytes_per_second" → "rx",
 * "core0_percent" → "core0", "gpu1_utilization_percent" → "gpu1".
 */
export function seriesLabel(series: string): string {
  const short = series
    .replace(/^(cpu|memory|disk|io|network|net)_/, '')
    .replace(
      /_?(utilization_percent|bytes_per_second|bytes_per_s|per_second|percent|utilization)$/,
      ''
    )
    .replace(/_/g, ' ')
    .trim();
  return short || series;
}

/**
 * One chart per figure the samples have (CPU %, memory, disk and network rates, GPU),
 * with a line per host (and per series when a figure has several, e.g. disk read and
 * write). Series that fit no figure get a chart of their own.
 */
export function profilerFigures(
  hosts: readonly IHostProfile[]
): IProfilerFigure[] {
  const figures = new Map<string, IProfilerFigure>();
  const extra: IFigureGroup[] = [];
  const groupOf = (series: string): IFigureGroup => {
    const known = GROUPS.find(group => group.match(series));
    if (known) {
      return known;
    }
    let own = extra.find(group => group.id === series);
    if (!own) {
      own = {
        id: series,
        unit: '',
        match: name => name === series
      };
      extra.push(own);
    }
    return own;
  };
  const names = new Set<string>();
  hosts.forEach(host =>
    Object.keys(host.Series ?? {})
      .filter(name => !HIDDEN.test(name))
      .forEach(names.add, names)
  );
  for (const series of [...names].sort()) {
    const group = groupOf(series);
    const several =
      [...names].filter(name => groupOf(name) === group).length > 1;
    let figure = figures.get(group.id);
    if (!figure) {
      figure = {
        id: group.id,
        title: group.id.replace(/_/g, ' '),
        unit: group.unit,
        data: []
      };
      figures.set(group.id, figure);
    }
    for (const host of hosts) {
      const values = host.Series?.[series];
      if (!values?.length) {
        continue;
      }
      figure.data.push({
        type: 'scatter',
        mode: 'lines',
        name: several ? `${host.Host} ${seriesLabel(series)}` : host.Host,
        x: host.Timestamps.map(t => new Date(t * 1000)) as unknown as number[],
        y: numbers(values)
      });
    }
  }
  const order = [...GROUPS, ...extra].map(group => group.id);
  return [...figures.values()]
    .filter(figure => figure.data.length > 0)
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

/**
 * What the next poll asks `since`: the oldest of the hosts' newest sample times, so
 * that a host whose sampler lags loses nothing (the others' repeats are dropped when
 * merged); undefined before any sample.
 */
export function lastSampleTime(profile: IProfile | null): number | undefined {
  let since: number | undefined;
  for (const host of profile?.Hosts ?? []) {
    const t = host.Timestamps[host.Timestamps.length - 1];
    if (t === undefined) {
      return undefined; // a host without samples yet: ask for everything
    }
    since = since === undefined ? t : Math.min(since, t);
  }
  return since;
}

/** At most this many samples per host are kept on screen (the oldest are dropped). */
export const MAX_SAMPLES = 5000;

/**
 * The samples shown after a poll: `update`'s (taken after the last shown) appended to
 * `shown`'s, host by host and series by series; its status, interval and report flag
 * replace `shown`'s. A series new in `update` is padded with nulls before its samples.
 */
export function mergeProfile(
  shown: IProfile | null,
  update: IProfile,
  max = MAX_SAMPLES
): IProfile {
  if (!shown) {
    return update;
  }
  const hosts = new Map(shown.Hosts.map(host => [host.Host, host]));
  for (const host of update.Hosts) {
    const before = hosts.get(host.Host);
    if (!before) {
      hosts.set(host.Host, host);
      continue;
    }
    const count = before.Timestamps.length;
    const newest = before.Timestamps[count - 1] ?? -Infinity;
    // samples the host already shows (asked again for a host that lags) are dropped
    const from = host.Timestamps.findIndex(t => t > newest);
    const fresh = from < 0 ? host.Timestamps.length : from;
    const added = host.Timestamps.length - fresh;
    const keep = Math.max(0, count + added - max);
    const series: Record<string, (number | null)[]> = {};
    const names = new Set([
      ...Object.keys(before.Series),
      ...Object.keys(host.Series)
    ]);
    for (const name of names) {
      const old = before.Series[name] ?? new Array(count).fill(null);
      const values = (
        host.Series[name] ?? new Array(host.Timestamps.length).fill(null)
      ).slice(fresh);
      series[name] = [...old, ...values].slice(keep);
    }
    hosts.set(host.Host, {
      Host: host.Host,
      Timestamps: [...before.Timestamps, ...host.Timestamps.slice(fresh)].slice(
        keep
      ),
      Series: series,
      Skipped: host.Skipped
    });
  }
  return {
    ...update,
    Hosts: [...hosts.values()].sort((a, b) =>
      a.Host.localeCompare(b.Host, undefined, { numeric: true })
    )
  };
}
