import { requestAPI } from './request';
import {
  IJobSummary,
  IListJobsRequest,
  IListProcessingJobsResponse,
  IListTrainingJobsResponse
} from './types';

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

/** Training and processing jobs together, newest first. */
export async function listJobs(
  request: IListJobsRequest = {}
): Promise<IJobSummary[]> {
  const [training, processing] = await Promise.all([
    listTrainingJobs(request),
    listProcessingJobs(request)
  ]);
  return [
    ...training.TrainingJobSummaries,
    ...processing.ProcessingJobSummaries
  ].sort((a, b) => Date.parse(b.CreationTime) - Date.parse(a.CreationTime));
}
