/**
 * What the tuning views show of a tuning job, read from its `Spec` (the
 * CreateHyperParameterTuningJob request, kept verbatim by the server) and `Outputs`
 * (counters, best training job, completion details), and the arithmetic on its
 * training jobs: objective values, best so far, progress, sorting. The readers never
 * throw on a field that is missing or has another shape.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { ITuningJob, ITuningTrainingJob } from '../api/tuning';
import { JobStatus } from '../api/types';
import { formatNumber } from '../format';

export type ObjectiveType = 'Maximize' | 'Minimize';
export type ParameterKind = 'Integer' | 'Continuous' | 'Categorical';

/** One tuned hyperparameter's range. */
export interface IParameterRange {
  name: string;
  kind: ParameterKind;
  /** Integer and continuous ranges. */
  min?: number;
  max?: number;
  /** Auto, Linear, Logarithmic or ReverseLogarithmic. */
  scaling?: string;
  /** Categorical ranges, in the order given. */
  values?: string[];
}

/** The tuning job's configuration, for display. */
export interface ITuningConfig {
  strategy: string;
  objective: { type: ObjectiveType; metricName: string };
  maxJobs: number | null;
  maxParallel: number | null;
  maxRuntimeSeconds?: number;
  earlyStopping: string;
  ranges: IParameterRange[];
  staticHyperParameters: [string, string][];
  targetObjective?: number;
  /** BestObjectiveNotImproving's number of jobs. */
  maxNotImproving?: number;
  completeOnConvergence: boolean;
  warmStartType?: string;
  warmStartParents: string[];
  hyperband?: { minResource?: number; maxResource?: number };
}

/** What the tuning job reports about its training jobs (kept current while it runs). */
export interface ITuningOutputs {
  completed: number;
  inProgress: number;
  retryableError: number;
  nonRetryableError: number;
  stopped: number;
  objectivesSucceeded: number;
  objectivesPending: number;
  objectivesFailed: number;
  stoppedEarly: number;
  best: ITuningTrainingJob | null;
  overallBest: ITuningTrainingJob | null;
  completionReason?: string;
  notImproving?: number;
  convergenceTime?: string;
}

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value || undefined;
  }
  return typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

/** A finite number from a number or a numeric string; undefined otherwise. */
function num(value: unknown): number | undefined {
  if (typeof value === 'string' && value.trim() === '') {
    return undefined;
  }
  const parsed =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? Number(value)
        : NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}

function count(value: unknown): number {
  const parsed = num(value);
  return parsed !== undefined && parsed > 0 ? Math.floor(parsed) : 0;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(object) : [];
}

function summary(value: unknown): ITuningTrainingJob | null {
  const job = object(value);
  return typeof job.TrainingJobName === 'string'
    ? (job as unknown as ITuningTrainingJob)
    : null;
}

/** The tuning job's configuration. */
export function tuningConfig(job: ITuningJob): ITuningConfig {
  const spec = object(job.Spec);
  const config = object(spec.HyperParameterTuningJobConfig);
  const objective = object(config.HyperParameterTuningJobObjective);
  const limits = object(config.ResourceLimits);
  const ranges = object(config.ParameterRanges);
  const criteria = object(config.TuningJobCompletionCriteria);
  const warmStart = object(spec.WarmStartConfig);
  const hyperband = object(
    object(config.StrategyConfig).HyperbandStrategyConfig
  );
  const numeric = (kind: ParameterKind) => (range: Json) => ({
    name: text(range.Name) ?? '',
    kind,
    min: num(range.MinValue),
    max: num(range.MaxValue),
    scaling: text(range.ScalingType) ?? 'Auto'
  });
  return {
    strategy: text(config.Strategy) ?? 'Bayesian',
    objective: {
      type: objective.Type === 'Minimize' ? 'Minimize' : 'Maximize',
      metricName: text(objective.MetricName) ?? ''
    },
    maxJobs: num(limits.MaxNumberOfTrainingJobs) ?? null,
    maxParallel: num(limits.MaxParallelTrainingJobs) ?? null,
    maxRuntimeSeconds: num(limits.MaxRuntimeInSeconds),
    earlyStopping: text(config.TrainingJobEarlyStoppingType) ?? 'Off',
    ranges: [
      ...list(ranges.IntegerParameterRanges).map(numeric('Integer')),
      ...list(ranges.ContinuousParameterRanges).map(numeric('Continuous')),
      ...list(ranges.CategoricalParameterRanges).map(range => ({
        name: text(range.Name) ?? '',
        kind: 'Categorical' as const,
        values: Array.isArray(range.Values) ? range.Values.map(String) : []
      }))
    ].filter(range => range.name),
    staticHyperParameters: Object.entries(
      object(object(spec.TrainingJobDefinition).StaticHyperParameters)
    ).map(([key, value]) => [key, text(value) ?? JSON.stringify(value)]),
    targetObjective: num(criteria.TargetObjectiveMetricValue),
    maxNotImproving: num(
      object(criteria.BestObjectiveNotImproving)
        .MaxNumberOfTrainingJobsNotImproving
    ),
    completeOnConvergence:
      object(criteria.ConvergenceDetected).CompleteOnConvergence === 'Enabled',
    warmStartType: text(warmStart.WarmStartType),
    warmStartParents: list(warmStart.ParentHyperParameterTuningJobs)
      .map(parent => text(parent.HyperParameterTuningJobName) ?? '')
      .filter(Boolean),
    hyperband:
      Object.keys(hyperband).length > 0
        ? {
            minResource: num(hyperband.MinResource),
            maxResource: num(hyperband.MaxResource)
          }
        : undefined
  };
}

/** The tuning job's counters and best training job. */
export function tuningOutputs(job: ITuningJob): ITuningOutputs {
  const outputs = object(job.Outputs);
  const jobs = object(outputs.TrainingJobStatusCounters);
  const objectives = object(outputs.ObjectiveStatusCounters);
  const completion = object(outputs.TuningJobCompletionDetails);
  const notImproving = num(
    completion.NumberOfTrainingJobsObjectiveNotImproving
  );
  return {
    completed: count(jobs.Completed),
    inProgress: count(jobs.InProgress),
    retryableError: count(jobs.RetryableError),
    nonRetryableError: count(jobs.NonRetryableError),
    stopped: count(jobs.Stopped),
    objectivesSucceeded: count(objectives.Succeeded),
    objectivesPending: count(objectives.Pending),
    objectivesFailed: count(objectives.Failed),
    stoppedEarly: count(outputs.TrainingJobsStoppedEarly),
    best: summary(outputs.BestTrainingJob),
    overallBest: summary(outputs.OverallBestTrainingJob),
    completionReason: text(outputs.CompletionReason),
    notImproving,
    convergenceTime: text(completion.ConvergenceDetectedTime)
  };
}

/**
 * The outputs with the counters and the best job counted from the training jobs
 * themselves: the tuning job's own counters lag a little behind its jobs' statuses,
 * and a view that shows both should not disagree with itself. Without jobs (or with
 * more than were read) the tuning job's own outputs stand.
 */
export function liveOutputs(
  outputs: ITuningOutputs,
  jobs: readonly ITuningTrainingJob[],
  type: ObjectiveType,
  complete = true
): ITuningOutputs {
  if (!jobs.length || !complete) {
    return outputs;
  }
  const live: ITuningOutputs = {
    ...outputs,
    completed: 0,
    inProgress: 0,
    retryableError: 0,
    nonRetryableError: 0,
    stopped: 0,
    objectivesSucceeded: 0,
    objectivesPending: 0,
    objectivesFailed: 0,
    stoppedEarly: 0,
    best: null
  };
  const numbers = jobNumbers(jobs);
  let bestValue: number | null = null;
  for (const job of [...jobs].sort(
    (a, b) => numbers.get(a)! - numbers.get(b)!
  )) {
    switch (job.TrainingJobStatus) {
      case 'Completed':
        live.completed++;
        break;
      case 'Failed':
        live.nonRetryableError++;
        break;
      case 'Stopped':
        live.stopped++;
        break;
      default:
        live.inProgress++;
    }
    const ended = isEndedStatus(job.TrainingJobStatus);
    const value = objectiveValue(job);
    const status =
      job.ObjectiveStatus ??
      (!ended ? 'Pending' : value === null ? 'Failed' : 'Succeeded');
    if (status === 'Succeeded') {
      live.objectivesSucceeded++;
    } else if (status === 'Pending') {
      live.objectivesPending++;
    } else {
      live.objectivesFailed++;
    }
    live.stoppedEarly += stoppedEarly(job) ? 1 : 0;
    if (
      status === 'Succeeded' &&
      value !== null &&
      (bestValue === null || isBetter(value, bestValue, type))
    ) {
      bestValue = value;
      live.best = job;
    }
  }
  // Retryable errors are the server's to tell apart.
  live.retryableError = Math.min(
    outputs.retryableError,
    live.nonRetryableError
  );
  live.nonRetryableError -= live.retryableError;
  return live;
}

/** The objective value a training job reported, or null. */
export function objectiveValue(job: ITuningTrainingJob): number | null {
  const value = num(job.FinalHyperParameterTuningJobObjectiveMetric?.Value);
  return value ?? null;
}

/** Whether `a` is a better objective value than `b`. */
export function isBetter(a: number, b: number, type: ObjectiveType): boolean {
  return type === 'Minimize' ? a < b : a > b;
}

/** Whether the early-stopping rule stopped the training job. */
export function stoppedEarly(job: ITuningTrainingJob): boolean {
  return (
    !!job.TrainingJobEarlyStoppingType &&
    job.TrainingJobEarlyStoppingType !== 'Off'
  );
}

/**
 * The training job's number within its tuning job (`TrainingJobNumber`); the jobs'
 * order of creation when the server did not say.
 */
export function jobNumbers(
  jobs: readonly ITuningTrainingJob[]
): Map<ITuningTrainingJob, number> {
  const byCreation = [...jobs].sort(
    (a, b) =>
      Date.parse(a.CreationTime) - Date.parse(b.CreationTime) ||
      a.TrainingJobName.localeCompare(b.TrainingJobName)
  );
  return new Map(
    byCreation.map((job, index) => [job, job.TrainingJobNumber ?? index + 1])
  );
}

/** The objective values by job number, and the best of them so far at each. */
export interface IObjectiveSeries {
  numbers: number[];
  values: number[];
  best: number[];
  /** The jobs, in the same order. */
  jobs: ITuningTrainingJob[];
}

/** The jobs that reported an objective, by number, with the best value so far. */
export function objectiveSeries(
  jobs: readonly ITuningTrainingJob[],
  type: ObjectiveType
): IObjectiveSeries {
  const numbers = jobNumbers(jobs);
  const scored = jobs
    .filter(job => objectiveValue(job) !== null)
    .sort((a, b) => numbers.get(a)! - numbers.get(b)!);
  const series: IObjectiveSeries = {
    numbers: [],
    values: [],
    best: [],
    jobs: scored
  };
  let best: number | null = null;
  for (const job of scored) {
    const value = objectiveValue(job)!;
    if (best === null || isBetter(value, best, type)) {
      best = value;
    }
    series.numbers.push(numbers.get(job)!);
    series.values.push(value);
    series.best.push(best);
  }
  return series;
}

/** How far a tuning job got. */
export interface ITuningProgress {
  /** Training jobs started so far (every status counted). */
  started: number;
  /** MaxNumberOfTrainingJobs; null when the spec does not say. */
  max: number | null;
  running: number;
  /** The best objective value so far, and its metric. */
  best: number | null;
  metricName: string;
  type: ObjectiveType;
}

/** Progress from the job's counters (or `outputs`, e.g. live ones) and configuration. */
export function tuningProgress(
  job: ITuningJob,
  outputs: ITuningOutputs = tuningOutputs(job)
): ITuningProgress {
  const config = tuningConfig(job);
  const best = outputs.best ? objectiveValue(outputs.best) : null;
  return {
    started:
      outputs.completed +
      outputs.inProgress +
      outputs.retryableError +
      outputs.nonRetryableError +
      outputs.stopped,
    max: config.maxJobs,
    running: outputs.inProgress,
    best,
    metricName:
      outputs.best?.FinalHyperParameterTuningJobObjectiveMetric?.MetricName ||
      config.objective.metricName,
    type: config.objective.type
  };
}

/** "4 of 6 jobs", "4 jobs" when the limit is not known. */
export function progressText(
  progress: ITuningProgress,
  trans: TranslationBundle
): string {
  return progress.max === null
    ? trans._n('%1 job', '%1 jobs', progress.started)
    : trans.__('%1 of %2 jobs', progress.started, progress.max);
}

/** "best validation:accuracy 0.93 (max)", or empty before any objective. */
export function bestText(
  progress: ITuningProgress,
  trans: TranslationBundle
): string {
  if (progress.best === null) {
    return '';
  }
  return progress.type === 'Minimize'
    ? trans.__(
        'best %1 %2 (min)',
        progress.metricName,
        formatNumber(progress.best)
      )
    : trans.__(
        'best %1 %2 (max)',
        progress.metricName,
        formatNumber(progress.best)
      );
}

/** Share of the jobs started, from 0 to 1; null without a limit. */
export function progressFraction(progress: ITuningProgress): number | null {
  if (!progress.max) {
    return null;
  }
  return Math.min(1, progress.started / progress.max);
}

// --- sorting the training jobs -------------------------------------------------------

/** A column of the training jobs table: a fixed one, or `hp:<name>`. */
export type TuningColumn =
  'number' | 'name' | 'status' | 'objective' | 'duration' | `hp:${string}`;

export interface ITuningSort {
  column: TuningColumn;
  /** Larger (later, longer) first. For the objective, larger values first. */
  descending: boolean;
}

/** The order a table of a tuning job's training jobs starts in: best first. */
export function defaultSort(type: ObjectiveType): ITuningSort {
  return { column: 'objective', descending: type === 'Maximize' };
}

/** Statuses in the order a list shows them. */
const STATUS_ORDER: Record<string, number> = {
  InProgress: 0,
  Stopping: 1,
  Completed: 2,
  Stopped: 3,
  Failed: 4
};

/** How long a training job trained, in milliseconds (until `now` while it runs). */
export function trainingMillis(
  job: ITuningTrainingJob,
  now: number = Date.now()
): number | null {
  const start = job.TrainingStartTime ? Date.parse(job.TrainingStartTime) : NaN;
  const end = job.TrainingEndTime ? Date.parse(job.TrainingEndTime) : now;
  return Number.isNaN(start) || Number.isNaN(end)
    ? null
    : Math.max(0, end - start);
}

/**
 * A sortable key of a hyperparameter's value: a number for numeric values, a
 * categorical value's position in its range, else the text.
 */
function parameterKey(
  value: string | undefined,
  range: IParameterRange | undefined
): number | string | null {
  if (value === undefined) {
    return null;
  }
  if (range?.kind === 'Categorical' && range.values) {
    const index = range.values.indexOf(value);
    if (index >= 0) {
      return index;
    }
  }
  return num(value) ?? value;
}

function compareKeys(
  a: number | string | null,
  b: number | string | null
): number | null {
  if (a === null || b === null) {
    return a === b ? 0 : null; // missing ones go last, whatever the direction
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/**
 * The training jobs sorted by a column. Jobs without a value (no objective yet, a
 * hyperparameter not tuned) come last in either direction; ties keep job-number order.
 */
export function sortTrainingJobs(
  jobs: readonly ITuningTrainingJob[],
  sort: ITuningSort,
  ranges: readonly IParameterRange[] = [],
  now: number = Date.now()
): ITuningTrainingJob[] {
  const numbers = jobNumbers(jobs);
  const byName = new Map(ranges.map(range => [range.name, range]));
  const key = (job: ITuningTrainingJob): number | string | null => {
    switch (sort.column) {
      case 'number':
        return numbers.get(job)!;
      case 'name':
        return job.TrainingJobName;
      case 'status':
        return STATUS_ORDER[job.TrainingJobStatus] ?? 9;
      case 'objective':
        return objectiveValue(job);
      case 'duration':
        return trainingMillis(job, now);
      default: {
        const name = sort.column.slice(3);
        return parameterKey(job.TunedHyperParameters?.[name], byName.get(name));
      }
    }
  };
  const keyed = jobs.map(job => ({ job, key: key(job) }));
  keyed.sort((a, b) => {
    const order = compareKeys(a.key, b.key);
    if (order === null) {
      return a.key === null ? 1 : -1;
    }
    return (
      (sort.descending ? -order : order) ||
      numbers.get(a.job)! - numbers.get(b.job)!
    );
  });
  return keyed.map(entry => entry.job);
}

/**
 * The tuned hyperparameters' names: the ranges' in the order the spec gives them,
 * then any other name a training job reports.
 */
export function parameterNames(
  ranges: readonly IParameterRange[],
  jobs: readonly ITuningTrainingJob[]
): string[] {
  const names = ranges.map(range => range.name);
  const seen = new Set(names);
  for (const job of jobs) {
    for (const name of Object.keys(job.TunedHyperParameters ?? {})) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  return names;
}

/** Whether a training job status is one that ends. */
export function isEndedStatus(status: JobStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Stopped';
}
