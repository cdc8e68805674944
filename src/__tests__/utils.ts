/**
 * Test helpers: the single request seam (`requestAPI`) answered from a table of routes,
 * in the manner of jupyterlab-git's `src/__tests__/utils.ts`.
 *
 * Each spec file that uses it must mock the module first:
 *
 *     jest.mock('../api/request', () => ({
 *       ...jest.requireActual('../api/request'),
 *       requestAPI: jest.fn()
 *     }));
 */
import { requestAPI } from '../api/request';
import { IJob, ITrialComponent } from '../api/types';

/**
 * An answer to a route: a value to resolve with, an error to reject with, or a function
 * of the request's query and JSON body (parsed) that returns one.
 */
export type Answer =
  | unknown
  | Error
  | ((query: Record<string, unknown>, body?: unknown) => unknown);

export const mockedRequestAPI = requestAPI as jest.MockedFunction<
  typeof requestAPI
>;

/**
 * Answer `requestAPI(path, init, query)` from `routes`, keyed by "METHOD path"
 * (e.g. "GET experiments"). Unknown routes reject, so a test notices stray calls.
 */
export function mockApi(routes: Record<string, Answer>): void {
  mockedRequestAPI.mockImplementation(
    async (path: string, init: RequestInit = {}, query = {}) => {
      const key = `${init.method ?? 'GET'} ${path}`;
      if (!(key in routes)) {
        throw new Error(`Unexpected request: ${key}`);
      }
      let answer = routes[key];
      if (typeof answer === 'function') {
        const body =
          typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
        answer = (
          answer as (q: Record<string, unknown>, b?: unknown) => unknown
        )(query, body);
      }
      if (answer instanceof Error) {
        throw answer;
      }
      return answer as never;
    }
  );
}

/** The routes of an API with nothing in it. */
export const EMPTY_API: Record<string, Answer> = {
  'GET experiments': { ExperimentSummaries: [] },
  'GET training-jobs': { TrainingJobSummaries: [] },
  'GET processing-jobs': { ProcessingJobSummaries: [] },
  'GET auto-ml-jobs': { AutoMLJobSummaries: [] },
  'GET hyper-parameter-tuning-jobs': { HyperParameterTuningJobSummaries: [] },
  'GET endpoints': { Endpoints: [] },
  'GET model-package-groups': { ModelPackageGroupSummaryList: [] }
};

/** Wait until `predicate` holds (polls every few milliseconds). */
export async function waitFor(
  predicate: () => boolean,
  timeout = 2000
): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeout) {
      throw new Error('Timed out waiting for a condition');
    }
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

export const NOW = new Date().toISOString();

export function experiment(name: string, runs = 0) {
  return {
    ExperimentName: name,
    CreationTime: NOW,
    LastModifiedTime: NOW,
    Tags: {},
    TrialCount: runs ? 1 : 0,
    TrialComponentCount: runs
  };
}

/** A finished run; `loss` gives it one metric with that value. */
export function run(
  name: string,
  options: Partial<ITrialComponent> & { loss?: number } = {}
): ITrialComponent {
  const { loss, ...rest } = options;
  return {
    TrialComponentName: name,
    DisplayName: null,
    Status: { PrimaryStatus: 'Completed', Message: null },
    StartTime: NOW,
    EndTime: null,
    CreationTime: NOW,
    LastModifiedTime: NOW,
    Source: null,
    Parameters: {},
    Tags: {},
    Metrics:
      loss === undefined
        ? []
        : [
            {
              MetricName: 'loss',
              Min: loss,
              Max: loss,
              Last: loss,
              Avg: loss,
              StdDev: 0,
              Count: 1,
              TimeStamp: NOW
            }
          ],
    ...rest
  };
}

/** A training job (in progress unless `options` say otherwise). */
export function job(name: string, options: Partial<IJob> = {}): IJob {
  return {
    JobName: name,
    Kind: 'TrainingJob',
    Status: 'InProgress',
    SecondaryStatus: 'Training',
    FailureReason: null,
    ExitCode: null,
    Runtime: 'process',
    Spec: {},
    Outputs: {},
    ExperimentName: null,
    TrialComponentName: null,
    CreationTime: '2026-01-01T00:00:00Z',
    StartTime: '2026-01-01T00:00:00Z',
    EndTime: null,
    LastModifiedTime: '2026-01-01T00:00:00Z',
    SecondaryStatusTransitions: [],
    Tags: {},
    ...options
  };
}
