/**
 * Hyperparameter tuning jobs: listing, describing and stopping them, the training jobs
 * each one started (ListTrainingJobsForHyperParameterTuningJob) and the tuner's log.
 */
import { jsonInit, requestAPI } from './request';
import { IJob, IJobLogChunk, JobStatus, QueryOf, Schemas } from './types';

// The types are aliases of those generated from the server's OpenAPI document
// (`schema.d.ts`, `jlpm api:types`); only what the server leaves open (the training
// job summaries, SageMaker's HyperParameterTrainingJobSummary) is spelled out here.

/** The collection route of tuning jobs. */
export const TUNING_ROUTE = 'hyper-parameter-tuning-jobs';

/** A tuning job as its GET and the listing return it (a job of kind HyperParameterTuningJob). */
export type ITuningJob = IJob;

/** The objective value of one training job, as the tuner took it from its log. */
export interface IFinalObjective {
  Type: 'Maximize' | 'Minimize';
  MetricName: string;
  Value: number;
}

/** One training job a tuning job started (SageMaker's HyperParameterTrainingJobSummary). */
export interface ITuningTrainingJob {
  TrainingJobName: string;
  TrainingJobArn?: string | null;
  TuningJobName?: string | null;
  CreationTime: string;
  TrainingStartTime?: string | null;
  TrainingEndTime?: string | null;
  TrainingJobStatus: JobStatus;
  /** The tuned hyperparameters' values, as strings. */
  TunedHyperParameters: Record<string, string>;
  FailureReason?: string | null;
  /** Absent while the job has reported no objective value. */
  FinalHyperParameterTuningJobObjectiveMetric?: IFinalObjective | null;
  ObjectiveStatus?: 'Succeeded' | 'Pending' | 'Failed' | null;
  /** "Auto" on a job the early-stopping rule stopped. */
  TrainingJobEarlyStoppingType?: string | null;
  /** 1-based order of creation within the tuning job. */
  TrainingJobNumber?: number | null;
}

export type IListTuningJobsRequest = Partial<
  QueryOf<'listHyperParameterTuningJobs'>
>;
export type IListTuningJobsResponse =
  Schemas['ListHyperParameterTuningJobsResponse'];
export type IListTuningTrainingJobsRequest = Partial<
  QueryOf<'listTrainingJobsForHyperParameterTuningJob'>
>;
export type IListTuningTrainingJobsResponse = Omit<
  Schemas['ListTuningTrainingJobsResponse'],
  'TrainingJobSummaries' | 'NextToken'
> & {
  TrainingJobSummaries: ITuningTrainingJob[];
  NextToken?: string | null;
};

/** The most training jobs read for one view (pages of 100). */
export const MAX_TRAINING_JOBS = 1000;

const tuningPath = (name: string) =>
  `${TUNING_ROUTE}/${encodeURIComponent(name)}`;

/** Tuning jobs, newest first. */
export function listTuningJobs(
  request: IListTuningJobsRequest = {}
): Promise<IListTuningJobsResponse> {
  return requestAPI<IListTuningJobsResponse>(TUNING_ROUTE, {}, { ...request });
}

/** One tuning job with its configuration, counters and best training job. */
export function describeTuningJob(name: string): Promise<ITuningJob> {
  return requestAPI<ITuningJob>(tuningPath(name));
}

/**
 * Ask a tuning job to stop: it starts no more training jobs and stops those running.
 * Answers the job (Stopping, then Stopped once its training jobs stopped).
 */
export function stopTuningJob(name: string): Promise<ITuningJob> {
  return requestAPI<ITuningJob>(
    `${tuningPath(name)}/stop`,
    jsonInit('POST', {})
  );
}

/** One page of the training jobs a tuning job started. */
export function listTuningTrainingJobs(
  name: string,
  request: IListTuningTrainingJobsRequest = {}
): Promise<IListTuningTrainingJobsResponse> {
  return requestAPI<IListTuningTrainingJobsResponse>(
    `${tuningPath(name)}/training-jobs`,
    {},
    { ...request }
  );
}

/**
 * Every training job a tuning job started (up to `MAX_TRAINING_JOBS`), in creation
 * order, reading page after page.
 */
export async function listAllTuningTrainingJobs(
  name: string
): Promise<ITuningTrainingJob[]> {
  const jobs: ITuningTrainingJob[] = [];
  let token: string | undefined;
  do {
    const page = await listTuningTrainingJobs(name, {
      SortBy: 'CreationTime',
      SortOrder: 'Ascending',
      MaxResults: 100,
      NextToken: token
    });
    jobs.push(...page.TrainingJobSummaries);
    token = page.NextToken ?? undefined;
  } while (token && jobs.length < MAX_TRAINING_JOBS);
  return jobs;
}

/**
 * The tuner's own log from byte `offset` on: one line per training job started, ended
 * or stopped early. `Complete` says nothing more will come.
 */
export function getTuningJobLogs(
  name: string,
  offset: number
): Promise<IJobLogChunk> {
  return requestAPI<IJobLogChunk>(
    `${tuningPath(name)}/logs`,
    {},
    { Offset: offset }
  );
}
