jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { ServerExtensionMissingError, StudioApiError } from '../api/request';
import { ExperimentsModel } from '../models/experiments';
import { JobsModel } from '../models/jobs';
import { StudioModel } from '../models/studio';
import {
  EMPTY_API,
  experiment,
  mockApi,
  mockedRequestAPI,
  waitFor
} from './utils';

describe('section models', () => {
  let model: ExperimentsModel;

  beforeEach(() => {
    mockedRequestAPI.mockReset();
    model = new ExperimentsModel({ standby: 'never' });
  });

  afterEach(() => {
    model.dispose();
  });

  it('starts loading and does not fetch while inactive', async () => {
    mockApi(EMPTY_API);
    expect(model.state).toEqual({ kind: 'loading' });
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(mockedRequestAPI).not.toHaveBeenCalled();
  });

  it('moves from loading to ready with the items', async () => {
    const items = [experiment('mnist', 3)];
    mockApi({ 'GET experiments': { ExperimentSummaries: items } });
    const states: string[] = [];
    model.stateChanged.connect((_, state) => states.push(state.kind));
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    expect(model.state).toEqual({ kind: 'ready', items });
    expect(states).toEqual(['ready']);
  });

  it('sends the name search as NameContains', async () => {
    const queries: Record<string, unknown>[] = [];
    mockApi({
      'GET experiments': (query: Record<string, unknown>) => {
        queries.push(query);
        return { ExperimentSummaries: [] };
      }
    });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    model.nameContains = '  mni ';
    await waitFor(() => queries.length === 2);
    expect(queries[1]).toMatchObject({
      NameContains: 'mni',
      SortBy: 'CreationTime',
      SortOrder: 'Descending'
    });
  });

  it('moves to error with the server message', async () => {
    mockApi({
      'GET experiments': new StudioApiError(
        500,
        'StoreError',
        'database locked'
      )
    });
    model.active = true;
    await waitFor(() => model.state.kind !== 'loading');
    expect(model.state).toEqual({ kind: 'error', message: 'database locked' });
  });

  it('moves to missing-extension when the routes are absent', async () => {
    mockApi({
      'GET experiments': new ServerExtensionMissingError('route-missing')
    });
    model.active = true;
    await waitFor(() => model.state.kind !== 'loading');
    expect(model.state).toMatchObject({
      kind: 'missing-extension',
      reason: 'route-missing'
    });
  });

  it('recovers from an error on refresh', async () => {
    mockApi({ 'GET experiments': new Error('boom') });
    model.active = true;
    await waitFor(() => model.state.kind === 'error');
    mockApi(EMPTY_API);
    await model.refresh();
    await waitFor(() => model.state.kind === 'ready');
    expect(model.state).toEqual({ kind: 'ready', items: [] });
  });

  it('applies a new interval at once', async () => {
    mockApi(EMPTY_API);
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    const calls = mockedRequestAPI.mock.calls.length;
    model.interval = 3600;
    expect(model.interval).toBe(3600);
    // Polls now instead of waiting for the tick scheduled with the old interval.
    await waitFor(() => mockedRequestAPI.mock.calls.length > calls);
  });
});

describe('JobsModel', () => {
  it('merges training and processing jobs, newest first', async () => {
    const job = (name: string, kind: string, created: string) => ({
      JobName: name,
      Kind: kind,
      Status: 'Completed',
      CreationTime: created,
      LastModifiedTime: created
    });
    mockApi({
      'GET training-jobs': {
        TrainingJobSummaries: [
          job('train-old', 'TrainingJob', '2026-01-01T00:00:00Z')
        ]
      },
      'GET processing-jobs': {
        ProcessingJobSummaries: [
          job('prep-new', 'ProcessingJob', '2026-02-01T00:00:00Z')
        ]
      },
      'GET auto-ml-jobs': { AutoMLJobSummaries: [] }
    });
    const model = new JobsModel({ standby: 'never' });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    const state = model.state as {
      kind: 'ready';
      items: { JobName: string }[];
    };
    expect(state.items.map(item => item.JobName)).toEqual([
      'prep-new',
      'train-old'
    ]);
    model.dispose();
  });
});

describe('StudioModel', () => {
  let studio: StudioModel;

  beforeEach(() => {
    mockedRequestAPI.mockReset();
    studio = new StudioModel({ standby: 'never' });
  });

  afterEach(() => {
    studio.dispose();
  });

  it('polls only the expanded sections of a visible sidebar', async () => {
    mockApi(EMPTY_API);
    studio.setExpanded('jobs', false);
    studio.visible = true;
    await waitFor(() => studio.experiments.state.kind === 'ready');
    await waitFor(() => studio.endpoints.state.kind === 'ready');
    expect(studio.jobs.active).toBe(false);
    expect(studio.jobs.state.kind).toBe('loading');
    studio.visible = false;
    expect(studio.experiments.active).toBe(false);
  });

  it('flags a missing server extension and clears it when the API answers', async () => {
    mockApi({
      'GET experiments': new ServerExtensionMissingError('route-missing'),
      'GET training-jobs': new ServerExtensionMissingError('route-missing'),
      'GET processing-jobs': new ServerExtensionMissingError('route-missing'),
      'GET auto-ml-jobs': new ServerExtensionMissingError('route-missing'),
      'GET hyper-parameter-tuning-jobs': new ServerExtensionMissingError(
        'route-missing'
      ),
      'GET endpoints': new ServerExtensionMissingError('route-missing'),
      'GET model-package-groups': new ServerExtensionMissingError(
        'route-missing'
      )
    });
    const seen: (string | null)[] = [];
    studio.missingExtensionChanged.connect((_, missing) =>
      seen.push(missing?.reason ?? null)
    );
    studio.visible = true;
    await waitFor(() => studio.missingExtension !== null);
    expect(studio.missingExtension?.reason).toBe('route-missing');

    mockApi(EMPTY_API);
    await studio.refresh();
    await waitFor(() => studio.missingExtension === null);
    expect(seen).toEqual(['route-missing', null]);
  });

  it('applies the refresh interval to every section', () => {
    studio.interval = 12;
    expect(studio.experiments.interval).toBe(12);
    expect(studio.jobs.interval).toBe(12);
    expect(studio.tuning.interval).toBe(12);
    expect(studio.endpoints.interval).toBe(12);
  });
});
