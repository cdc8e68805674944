/** Training and processing jobs: listing, describing, stopping, their logs. */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, jsonInit, requestAPI } from './request';
import {
  ICreateTrainingJobRequest,
  IJob,
  IJobLogChunk,
  IJobSummary,
  IListJobsRequest,
  IListProcessingJobsResponse,
  IListTrainingJobsResponse,
  JobKind
} from './types';

/** The collection route of a kind of job. */
export function jobsRoute(kind: JobKind): string {
  switch (kind) {
    case 'ProcessingJob':
      return 'processing-jobs';
    case 'TransformJob':
      return 'transform-jobs';
    default:
      return 'training-jobs';
  }
}

const jobPath = (kind: JobKind, name: string) =>
  `${jobsRoute(kind)}/${encodeURIComponent(name)}`;

export function listTrainingJobs(
  request: IListJobsRequest = {}
): Promise<IListTrainingJobsResponse> {
  return requestAPI<IListTrainingJobsResponse>(
    'training-jobs',
    {},
    { ...request }
  );
}

export function listProcessingJobs(
  request: IListJobsRequest = {}
): Promise<IListProcessingJobsResponse> {
  return requestAPI<IListProcessingJobsResponse>(
    'processing-jobs',
    {},
    { ...request }
  );
}

/**
 * Training and processing jobs together (or one `kind` of them), newest first.
 */
export async function listJobs(
  request: IListJobsRequest = {},
  kind?: JobKind
): Promise<IJobSummary[]> {
  const [training, processing] = await Promise.all([
    kind && kind !== 'TrainingJob'
      ? { TrainingJobSummaries: [] }
      : listTrainingJobs(request),
    kind && kind !== 'ProcessingJob'
      ? { ProcessingJobSummaries: [] }
      : listProcessingJobs(request)
  ]);
  return [
    ...training.TrainingJobSummaries,
    ...processing.ProcessingJobSummaries
  ].sort((a, b) => Date.parse(b.CreationTime) - Date.parse(a.CreationTime));
}

/** One job with its configuration, outputs and status transitions. */
export function describeJob(kind: JobKind, name: string): Promise<IJob> {
  return requestAPI<IJob>(jobPath(kind, name));
}

/**
 * Create and start a training job (SageMaker's CreateTrainingJob request, plus
 * `ScriptMode` for a script); the server checks it whole before anything starts.
 */
export function createTrainingJob(
  request: ICreateTrainingJobRequest
): Promise<IJob> {
  return requestAPI<IJob>('training-jobs', jsonInit('POST', request));
}

/** Ask a running job to stop (gracefully, then forcibly); answers the job. */
export function stopJob(kind: JobKind, name: string): Promise<IJob> {
  return requestAPI<IJob>(`${jobPath(kind, name)}/stop`, jsonInit('POST', {}));
}

/**
 * The job's log from byte `offset` on, for one host (`algo-1`, ...). Pass the answer's
 * `NextOffset` back to read what came since; `Complete` says nothing more will come.
 */
export function getJobLogs(
  kind: JobKind,
  name: string,
  offset: number,
  host?: string
): Promise<IJobLogChunk> {
  return requestAPI<IJobLogChunk>(
    `${jobPath(kind, name)}/logs`,
    {},
    { Offset: offset, Host: host }
  );
}

/**
 * The URL that downloads a file a training job published (`model.tar.gz`,
 * `output.tar.gz`); the session cookie authenticates it.
 */
export function jobArtifactUrl(
  kind: JobKind,
  name: string,
  path: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return apiUrl(
    settings,
    `${jobPath(kind, name)}/artifacts/${path.split('/').map(encodeURIComponent).join('/')}`
  );
}
