/**
 * The pure part of the AutoML view: an AutoML job's outputs read as the view shows them
 * (problem type, objective, target), its stage timeline, and its candidates ranked,
 * sorted and charted in launch order with the best so far.
 */
import {
  IAutoMLCandidate,
  IAutoMLJob,
  IAutoMLOutputs,
  IAutoMLStage
} from '../api/automl';
import { isTerminal } from './jobSpec';

export type ObjectiveType = 'Maximize' | 'Minimize';

/** The job's Outputs (empty until the server wrote some). */
export function automlOutputs(job: IAutoMLJob): IAutoMLOutputs {
  return (job.Outputs ?? {}) as IAutoMLOutputs;
}

/** What the job is doing now, or why it ended; '' before the server said. */
export function automlSecondaryStatus(job: IAutoMLJob): string {
  return automlOutputs(job).AutoMLJobSecondaryStatus ?? '';
}

/** The request's channel (the table and its target column). */
function requestChannel(
  job: IAutoMLJob
): { TargetAttributeName?: string } | undefined {
  const channels = (job.Spec?.InputDataConfig ?? []) as {
    TargetAttributeName?: string;
  }[];
  return channels[0];
}

/** What the header shows: the problem, the objective and the table. */
export interface IAutoMLSummary {
  problemType: string | null;
  metricName: string | null;
  target: string | null;
  rows: number | null;
  classes: string[];
}

/** The problem type, objective metric, target and rows, as far as they are known. */
export function automlSummary(job: IAutoMLJob): IAutoMLSummary {
  const outputs = automlOutputs(job);
  const resolved = outputs.ResolvedAttributes ?? {};
  const requested = job.Spec?.AutoMLJobObjective as
    { MetricName?: string } | undefined;
  return {
    problemType:
      resolved.ProblemType ??
      outputs.ProblemType ??
      (job.Spec?.ProblemType as string | undefined) ??
      null,
    metricName:
      resolved.AutoMLJobObjective?.MetricName ??
      outputs.AutoMLJobObjective?.MetricName ??
      requested?.MetricName ??
      null,
    target:
      outputs.Analysis?.Target ??
      requestChannel(job)?.TargetAttributeName ??
      null,
    rows: outputs.Analysis?.Rows ?? null,
    classes: outputs.Analysis?.Classes ?? []
  };
}

// --- the stage timeline ------------------------------------------------------------

/** The stages of an AutoML job, in order; the training stage has one of two names. */
export const STAGES = [
  'Starting',
  'AnalyzingData',
  'FeatureEngineering',
  'TrainingModels'
] as const;

/** The training stage's other name (SageMaker's, when it tunes hyperparameters). */
const TRAINING_STAGES = ['TrainingModels', 'ModelTuning'];

export type StageState = 'done' | 'current' | 'pending' | 'skipped';

/** One step of the timeline. */
export interface ITimelineStep {
  /** The stage's name ('Starting', ...), or the job's ending status for the last step. */
  stage: string;
  state: StageState;
  start: string | null;
  end: string | null;
  /** Whether this is the ending step (Completed, MaxCandidatesReached, Failed, ...). */
  ending: boolean;
}

/**
 * The timeline: the four stages (each reported one with its times; the one without an
 * end is current while the job runs), then the ending (the secondary status the job
 * ended with, pending while it runs). Stages an ended job never reached are skipped.
 */
export function stageTimeline(job: IAutoMLJob): ITimelineStep[] {
  const outputs = automlOutputs(job);
  const reported: IAutoMLStage[] = outputs.Stages ?? [];
  const ended = isTerminal(job);
  const byName = new Map<string, IAutoMLStage>();
  for (const stage of reported) {
    const name = TRAINING_STAGES.includes(stage.Stage)
      ? 'TrainingModels'
      : stage.Stage;
    byName.set(name, stage);
  }
  const steps: ITimelineStep[] = STAGES.map(name => {
    const stage = byName.get(name);
    const shown =
      name === 'TrainingModels' && stage ? stage.Stage : (name as string);
    if (!stage) {
      return {
        stage: shown,
        state: ended ? 'skipped' : 'pending',
        start: null,
        end: null,
        ending: false
      };
    }
    const end = stage.EndTime ?? (ended ? job.EndTime : null) ?? null;
    return {
      stage: shown,
      state: end ? 'done' : 'current',
      start: stage.StartTime,
      end,
      ending: false
    };
  });
  const status = automlSecondaryStatus(job);
  steps.push({
    stage: ended ? status || job.Status : 'Completed',
    state: ended ? 'done' : 'pending',
    start: ended ? (job.EndTime ?? null) : null,
    end: ended ? (job.EndTime ?? null) : null,
    ending: true
  });
  return steps;
}

// --- candidates ----------------------------------------------------------------------

/** The candidate's objective value; null while it has none. */
export function candidateObjective(candidate: IAutoMLCandidate): number | null {
  const value = candidate.FinalAutoMLJobObjectiveMetric?.Value;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The training job that trained the candidate (its first step). */
export function candidateTrainingJob(
  candidate: IAutoMLCandidate
): string | null {
  return candidate.CandidateSteps?.[0]?.CandidateStepName ?? null;
}

/** Seconds from the candidate's creation to its end (or to `now` while it runs). */
export function trainingSeconds(
  candidate: IAutoMLCandidate,
  now: number = Date.now()
): number | null {
  const start = Date.parse(candidate.CreationTime);
  const end = candidate.EndTime ? Date.parse(candidate.EndTime) : now;
  return Number.isNaN(start) || Number.isNaN(end)
    ? null
    : Math.max(0, (end - start) / 1000);
}

/** Metrics where lower is better (SageMaker's regression and loss objectives). */
const MINIMIZED = new Set(['MSE', 'RMSE', 'MAE', 'LogLoss']);

/** Whether the objective is maximized: as the candidates say, else by its name. */
export function objectiveType(
  candidates: readonly IAutoMLCandidate[],
  metricName: string | null
): ObjectiveType {
  for (const candidate of candidates) {
    const type = candidate.FinalAutoMLJobObjectiveMetric?.Type;
    if (type === 'Maximize' || type === 'Minimize') {
      return type;
    }
  }
  return metricName && MINIMIZED.has(metricName) ? 'Minimize' : 'Maximize';
}

/** Whether `a` is a better objective value than `b`. */
export function better(a: number, b: number, type: ObjectiveType): boolean {
  return type === 'Maximize' ? a > b : a < b;
}

/** Candidates in launch order (creation time, then name). */
export function launchOrder(
  candidates: readonly IAutoMLCandidate[]
): IAutoMLCandidate[] {
  return [...candidates].sort(
    (a, b) =>
      Date.parse(a.CreationTime) - Date.parse(b.CreationTime) ||
      a.CandidateName.localeCompare(b.CandidateName)
  );
}

/** Each candidate's rank by objective (1 = best); those without a value have none. */
export function candidateRanks(
  candidates: readonly IAutoMLCandidate[],
  type: ObjectiveType
): Map<string, number> {
  const scored = launchOrder(candidates).filter(
    candidate => candidateObjective(candidate) !== null
  );
  scored.sort((a, b) => {
    const x = candidateObjective(a)!;
    const y = candidateObjective(b)!;
    return x === y ? 0 : better(x, y, type) ? -1 : 1;
  });
  return new Map(
    scored.map((candidate, index) => [candidate.CandidateName, index + 1])
  );
}

/** The best candidate of those read (the first ranked), null while none has a value. */
export function bestOf(
  candidates: readonly IAutoMLCandidate[],
  type: ObjectiveType
): IAutoMLCandidate | null {
  const ranks = candidateRanks(candidates, type);
  return (
    candidates.find(candidate => ranks.get(candidate.CandidateName) === 1) ??
    null
  );
}

export type CandidateColumn =
  | 'rank'
  | 'name'
  | 'objective'
  | 'algorithm'
  | 'preprocessing'
  | 'status'
  | 'duration';

export interface ICandidateSort {
  column: CandidateColumn;
  descending: boolean;
}

/** The leaderboard's first order: by rank, the best first. */
export const DEFAULT_SORT: ICandidateSort = {
  column: 'rank',
  descending: false
};

/** The order a column starts in: best first for the objective, ascending otherwise. */
export function initialSort(
  column: CandidateColumn,
  type: ObjectiveType
): ICandidateSort {
  return {
    column,
    descending: column === 'objective' ? type === 'Maximize' : false
  };
}

/**
 * The candidates in `sort`'s order; candidates without the sorted value (no rank, no
 * objective) come last either way, ties in launch order.
 */
export function sortCandidates(
  candidates: readonly IAutoMLCandidate[],
  sort: ICandidateSort,
  type: ObjectiveType,
  now: number = Date.now()
): IAutoMLCandidate[] {
  const ranks = candidateRanks(candidates, type);
  const key = (candidate: IAutoMLCandidate): number | string | null => {
    switch (sort.column) {
      case 'rank':
        return ranks.get(candidate.CandidateName) ?? null;
      case 'objective':
        return candidateObjective(candidate);
      case 'name':
        return candidate.CandidateName;
      case 'algorithm':
        return candidate.CandidateDefinition?.Algorithm ?? null;
      case 'preprocessing':
        return candidate.CandidateDefinition?.Preprocessing ?? null;
      case 'status':
        return candidate.CandidateStatus;
      default:
        return trainingSeconds(candidate, now);
    }
  };
  const order = launchOrder(candidates);
  const position = new Map(order.map((candidate, index) => [candidate, index]));
  return order.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) {
      return x === y
        ? position.get(a)! - position.get(b)!
        : x === null
          ? 1
          : -1;
    }
    const compared =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y));
    return (
      (sort.descending ? -compared : compared) ||
      position.get(a)! - position.get(b)!
    );
  });
}

/** The objective chart's series: values in launch order and the best so far. */
export interface IObjectiveSeries {
  /** The candidates with a value, in launch order. */
  candidates: IAutoMLCandidate[];
  /** Each one's launch number (1-based over all candidates). */
  numbers: number[];
  values: number[];
  /** The best value up to and including each one. */
  best: number[];
}

export function objectiveSeries(
  candidates: readonly IAutoMLCandidate[],
  type: ObjectiveType
): IObjectiveSeries {
  const series: IObjectiveSeries = {
    candidates: [],
    numbers: [],
    values: [],
    best: []
  };
  launchOrder(candidates).forEach((candidate, index) => {
    const value = candidateObjective(candidate);
    if (value === null) {
      return;
    }
    const last = series.best[series.best.length - 1];
    series.candidates.push(candidate);
    series.numbers.push(index + 1);
    series.values.push(value);
    series.best.push(
      last === undefined || better(value, last, type) ? value : last
    );
  });
  return series;
}
