import { jsonInit, requestAPI } from './request';
import {
  ICreateExperimentRequest,
  IExperiment,
  IListExperimentsRequest,
  IListExperimentRunsRequest,
  IListExperimentRunsResponse,
  IListExperimentsResponse,
  IListTrialComponentsRequest,
  IListTrialComponentsResponse
} from './types';

export function listExperiments(
  request: IListExperimentsRequest = {}
): Promise<IListExperimentsResponse> {
  return requestAPI<IListExperimentsResponse>(
    'experiments',
    {},
    { ...request }
  );
}

export function createExperiment(
  request: ICreateExperimentRequest
): Promise<IExperiment> {
  return requestAPI<IExperiment>('experiments', jsonInit('POST', request));
}

export function describeExperiment(name: string): Promise<IExperiment> {
  return requestAPI<IExperiment>(`experiments/${encodeURIComponent(name)}`);
}

export async function deleteExperiment(name: string): Promise<void> {
  await requestAPI<unknown>(`experiments/${encodeURIComponent(name)}`, {
    method: 'DELETE'
  });
}

export function listTrialComponents(
  request: IListTrialComponentsRequest = {}
): Promise<IListTrialComponentsResponse> {
  return requestAPI<IListTrialComponentsResponse>(
    'trial-components',
    {},
    { ...request }
  );
}

/**
 * One page of an experiment's runs, sorted and filtered on the server (the experiment
 * view and the sidebar ask for the first screen, then the next pages on demand).
 */
export function listExperimentRuns(
  experimentName: string,
  request: IListExperimentRunsRequest = {}
): Promise<IListExperimentRunsResponse> {
  return requestAPI<IListExperimentRunsResponse>(
    `experiments/${encodeURIComponent(experimentName)}/runs`,
    {},
    { ...request }
  );
}
