jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';

import { StudioApiError } from '../api/request';
import { MAX_TRAINING_JOBS } from '../api/tuning';
import { TuningJobsModel } from '../models/tuningJobs';
import { TuningModel } from '../models/tuningModel';
import {
  bestText,
  defaultSort,
  liveOutputs,
  objectiveSeries,
  progressText,
  sortTrainingJobs,
  tuningConfig,
  tuningOutputs,
  tuningProgress
} from '../models/tuningSpec';
import { job, mockApi, mockedRequestAPI, waitFor } from './utils';
import { trial, trials, tuningJob } from './tuningFixtures';

const trans = nullTranslator.load('jupyter_mlstudio');
const names = (jobs: { TrainingJobNumber?: number | null }[]) =>
  jobs.map(j => j.TrainingJobNumber);

describe('tuningConfig and tuningOutputs', () => {
  it('read the search, ranges and criteria from the spec', () => {
    const config = tuningConfig(tuningJob());
    expect(config.strategy).toBe('Random');
    expect(config.objective).toEqual({
      type: 'Maximize',
      metricName: 'validation:accuracy'
    });
    expect(config.maxJobs).toBe(6);
    expect(config.maxParallel).toBe(2);
    expect(config.earlyStopping).toBe('Auto');
    expect(config.ranges).toEqual([
      {
        name: 'n-estimators',
        kind: 'Integer',
        min: 5,
        max: 50,
        scaling: 'Linear'
      },
      {
        name: 'learning_rate',
        kind: 'Continuous',
        min: 0.001,
        max: 1,
        scaling: 'Logarithmic'
      },
      { name: 'kernel', kind: 'Categorical', values: ['linear', 'rbf', 'poly'] }
    ]);
    expect(config.staticHyperParameters).toEqual([['epochs', '3']]);
    expect(config.targetObjective).toBe(0.99);
    expect(config.maxNotImproving).toBe(4);
    expect(config.completeOnConvergence).toBe(false);
    expect(config.warmStartParents).toEqual([]);
  });

  it('read the counters and the best job from the outputs', () => {
    const outputs = tuningOutputs(tuningJob());
    expect(outputs).toMatchObject({
      completed: 3,
      inProgress: 1,
      nonRetryableError: 1,
      stopped: 1,
      stoppedEarly: 1,
      objectivesSucceeded: 4,
      objectivesPending: 1,
      objectivesFailed: 1,
      notImproving: 2
    });
    expect(outputs.best?.TrainingJobName).toBe('tune-1-004-0a1b2c3d');
  });

  it('never throw on a spec or outputs of another shape', () => {
    const odd = tuningJob({
      Spec: { HyperParameterTuningJobConfig: { ParameterRanges: [1, 2] } },
      Outputs: { TrainingJobStatusCounters: 'n/a', BestTrainingJob: 3 }
    });
    const config = tuningConfig(odd);
    expect(config.ranges).toEqual([]);
    expect(config.maxJobs).toBeNull();
    expect(config.objective.type).toBe('Maximize');
    const outputs = tuningOutputs(odd);
    expect(outputs.completed).toBe(0);
    expect(outputs.best).toBeNull();
  });
});

describe('liveOutputs', () => {
  it('counts the training jobs as read, ahead of the job’s own counters', () => {
    // The tuning job has not yet noticed that job 6 completed with the best value.
    const jobs = trials().map(job =>
      job.TrainingJobNumber === 6
        ? trial(6, 0.95, { TrainingJobStatus: 'Completed' })
        : job
    );
    const own = tuningOutputs(tuningJob());
    const live = liveOutputs(own, jobs, 'Maximize');
    expect(live).toMatchObject({
      completed: 4,
      inProgress: 0,
      nonRetryableError: 1,
      stopped: 1,
      stoppedEarly: 1,
      objectivesSucceeded: 5,
      objectivesPending: 0,
      objectivesFailed: 1,
      notImproving: 2
    });
    expect(live.best?.TrainingJobNumber).toBe(6);
    expect(tuningProgress(tuningJob(), live)).toMatchObject({
      started: 6,
      running: 0,
      best: 0.95
    });
    // A running job's objective, or a lower one, is not the best.
    const minimize = liveOutputs(own, trials(), 'Minimize');
    expect(minimize.best?.TrainingJobNumber).toBe(3);
  });

  it('leaves the job’s own outputs without jobs, or with only some read', () => {
    const own = tuningOutputs(tuningJob());
    expect(liveOutputs(own, [], 'Maximize')).toBe(own);
    expect(liveOutputs(own, [trial(1, 0.1)], 'Maximize', false)).toBe(own);
  });
});

describe('progress', () => {
  it('counts every job started against the limit, with the best so far', () => {
    const progress = tuningProgress(tuningJob());
    expect(progress).toEqual({
      started: 6,
      max: 6,
      running: 1,
      best: 0.91,
      metricName: 'validation:accuracy',
      type: 'Maximize'
    });
    expect(progressText(progress, trans)).toBe('6 of 6 jobs');
    expect(bestText(progress, trans)).toBe(
      'best validation:accuracy 0.91 (max)'
    );
  });

  it('says how many started without a limit, and nothing of a best before one', () => {
    const fresh = tuningJob({
      Spec: {},
      Outputs: { TrainingJobStatusCounters: { InProgress: 1 } }
    });
    const progress = tuningProgress(fresh);
    expect(progressText(progress, trans)).toBe('1 job');
    expect(progress.best).toBeNull();
    expect(bestText(progress, trans)).toBe('');
    expect(progressText({ ...progress, started: 3, max: null }, trans)).toBe(
      '3 jobs'
    );
  });

  it('names the minimum for a Minimize objective', () => {
    const progress = {
      ...tuningProgress(tuningJob()),
      best: 0.0123,
      type: 'Minimize' as const,
      metricName: 'loss'
    };
    expect(bestText(progress, trans)).toBe('best loss 0.0123 (min)');
  });
});

describe('objectiveSeries', () => {
  it('keeps the best so far by job number, for Maximize', () => {
    // Listed out of order; jobs without an objective are left out.
    const jobs = [trial(3, 0.7), trial(1, 0.5), trial(2, null), trial(4, 0.6)];
    const series = objectiveSeries(jobs, 'Maximize');
    expect(series.numbers).toEqual([1, 3, 4]);
    expect(series.values).toEqual([0.5, 0.7, 0.6]);
    expect(series.best).toEqual([0.5, 0.7, 0.7]);
  });

  it('keeps the lowest so far for Minimize', () => {
    const jobs = [trial(1, 3), trial(2, 5), trial(3, 1), trial(4, 2)];
    expect(objectiveSeries(jobs, 'Minimize').best).toEqual([3, 3, 1, 1]);
  });

  it('numbers jobs by creation when the server does not', () => {
    const jobs = [trial(2, 0.2), trial(1, 0.1)].map(j => ({
      ...j,
      TrainingJobNumber: undefined
    }));
    expect(objectiveSeries(jobs, 'Maximize').numbers).toEqual([1, 2]);
  });
});

describe('sortTrainingJobs', () => {
  const config = tuningConfig(tuningJob());

  it('puts the best objective first by default, jobs without one last', () => {
    const sorted = sortTrainingJobs(trials(), defaultSort('Maximize'));
    expect(names(sorted)).toEqual([4, 2, 1, 3, 5, 6]);
    const minimize = sortTrainingJobs(trials(), defaultSort('Minimize'));
    expect(names(minimize)).toEqual([3, 1, 2, 4, 5, 6]);
  });

  it('sorts numeric hyperparameters as numbers, categorical ones by their range', () => {
    const jobs = [
      trial(1, 1, { params: { 'n-estimators': '9', kernel: 'poly' } }),
      trial(2, 1, { params: { 'n-estimators': '10', kernel: 'linear' } }),
      trial(3, 1, { params: { 'n-estimators': '45', kernel: 'rbf' } }),
      trial(4, 1, { params: {} })
    ];
    const byCount = sortTrainingJobs(
      jobs,
      { column: 'hp:n-estimators', descending: false },
      config.ranges
    );
    expect(names(byCount)).toEqual([1, 2, 3, 4]);
    const byCountDown = sortTrainingJobs(
      jobs,
      { column: 'hp:n-estimators', descending: true },
      config.ranges
    );
    expect(names(byCountDown)).toEqual([3, 2, 1, 4]);
    const byKernel = sortTrainingJobs(
      jobs,
      { column: 'hp:kernel', descending: false },
      config.ranges
    );
    expect(names(byKernel)).toEqual([2, 3, 1, 4]);
  });

  it('sorts by status, name, number and training time', () => {
    const jobs = trials();
    expect(
      names(sortTrainingJobs(jobs, { column: 'status', descending: false }))
    ).toEqual([6, 1, 2, 4, 3, 5]);
    expect(
      names(sortTrainingJobs(jobs, { column: 'name', descending: true }))
    ).toEqual([6, 5, 4, 3, 2, 1]);
    expect(
      names(sortTrainingJobs(jobs, { column: 'number', descending: false }))
    ).toEqual([1, 2, 3, 4, 5, 6]);
    const slow = trial(2, 0.1, { TrainingEndTime: '2026-01-01T00:10:00Z' });
    const byTime = sortTrainingJobs([trial(1, 0.1), slow], {
      column: 'duration',
      descending: true
    });
    expect(names(byTime)).toEqual([2, 1]);
  });
});

describe('TuningModel', () => {
  let model: TuningModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    model?.dispose();
    model = null;
  });

  it('reads the job and every page of its training jobs', async () => {
    const queries: Record<string, unknown>[] = [];
    const all = trials();
    mockApi({
      'GET hyper-parameter-tuning-jobs/tune-1': tuningJob({
        Status: 'Completed'
      }),
      'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': (
        query: Record<string, unknown>
      ) => {
        queries.push(query);
        return query.NextToken
          ? { TrainingJobSummaries: all.slice(4), NextToken: null }
          : { TrainingJobSummaries: all.slice(0, 4), NextToken: 'page-2' };
      },
      'GET hyper-parameter-tuning-jobs/tune-1/logs': {
        Text: 'started tune-1-001\n',
        NextOffset: 19,
        Complete: true
      }
    });
    model = new TuningModel('tune-1', { standby: 'never' });
    await model.refresh();
    expect(model.state.kind).toBe('ready');
    expect(model.trainingJobs).toHaveLength(6);
    expect(queries[0]).toMatchObject({
      SortBy: 'CreationTime',
      SortOrder: 'Ascending',
      MaxResults: 100
    });
    expect(queries[1].NextToken).toBe('page-2');
    expect(model.parameterNames).toEqual([
      'n-estimators',
      'learning_rate',
      'kernel'
    ]);
    expect(model.canStop).toBe(false);
    await waitFor(() => model!.log.complete);
    expect(model.log.lines).toEqual(['started tune-1-001']);
  });

  it('stops reading pages at the limit', async () => {
    let pages = 0;
    mockApi({
      'GET hyper-parameter-tuning-jobs/tune-1': tuningJob(),
      'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': () => {
        pages++;
        return {
          TrainingJobSummaries: Array.from({ length: 100 }, (_, i) =>
            trial(pages * 100 + i, 0.5)
          ),
          NextToken: 'more'
        };
      },
      'GET hyper-parameter-tuning-jobs/tune-1/logs': {
        Text: '',
        NextOffset: 0,
        Complete: false
      }
    });
    model = new TuningModel('tune-1', { standby: 'never' });
    await model.refresh();
    expect(model.trainingJobs).toHaveLength(MAX_TRAINING_JOBS);
    expect(pages).toBe(MAX_TRAINING_JOBS / 100);
  });

  it('sorts best first, then by the column asked, reversing on a second ask', async () => {
    mockApi({
      'GET hyper-parameter-tuning-jobs/tune-1': tuningJob(),
      'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
        TrainingJobSummaries: trials()
      },
      'GET hyper-parameter-tuning-jobs/tune-1/logs': {
        Text: '',
        NextOffset: 0,
        Complete: false
      }
    });
    model = new TuningModel('tune-1', { standby: 'never' });
    await model.refresh();
    expect(model.sort).toEqual({ column: 'objective', descending: true });
    expect(names(model.sortedTrainingJobs())).toEqual([4, 2, 1, 3, 5, 6]);
    let changes = 0;
    model.stateChanged.connect(() => changes++);
    model.sortBy('objective');
    expect(names(model.sortedTrainingJobs())).toEqual([3, 1, 2, 4, 5, 6]);
    model.sortBy('number');
    expect(model.sort).toEqual({ column: 'number', descending: false });
    model.sortBy('number');
    expect(names(model.sortedTrainingJobs())).toEqual([6, 5, 4, 3, 2, 1]);
    model.sortBy('objective');
    expect(model.sort).toEqual({ column: 'objective', descending: true });
    expect(changes).toBe(4);
  });

  it('polls while the tuning job runs and stands by once it ended', async () => {
    let reads = 0;
    const status = () => (reads >= 3 ? 'Completed' : 'InProgress');
    mockApi({
      'GET hyper-parameter-tuning-jobs/tune-1': () => {
        reads++;
        return tuningJob({ Status: status() });
      },
      'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
        TrainingJobSummaries: trials()
      },
      'GET hyper-parameter-tuning-jobs/tune-1/logs': {
        Text: '',
        NextOffset: 0,
        Complete: true
      }
    });
    model = new TuningModel('tune-1', { standby: 'never', interval: 0.02 });
    await waitFor(() => model!.job?.Status === 'Completed');
    const after = reads;
    await new Promise(resolve => setTimeout(resolve, 150));
    expect(reads).toBe(after);
  });

  it('stops through the API and reloads; a refusal propagates', async () => {
    const stops: string[] = [];
    let stopped = false;
    mockApi({
      'GET hyper-parameter-tuning-jobs/tune-1': () =>
        tuningJob({ Status: stopped ? 'Stopping' : 'InProgress' }),
      'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
        TrainingJobSummaries: trials()
      },
      'GET hyper-parameter-tuning-jobs/tune-1/logs': {
        Text: '',
        NextOffset: 0,
        Complete: false
      },
      'POST hyper-parameter-tuning-jobs/tune-1/stop': () => {
        stops.push('tune-1');
        stopped = true;
        return tuningJob({ Status: 'Stopping' });
      }
    });
    model = new TuningModel('tune-1', { standby: 'never' });
    await model.refresh();
    expect(model.canStop).toBe(true);
    await model.stop();
    expect(stops).toEqual(['tune-1']);
    expect(model.job?.Status).toBe('Stopping');
    expect(model.canStop).toBe(false);

    mockApi({
      'POST hyper-parameter-tuning-jobs/tune-1/stop': new StudioApiError(
        400,
        'ValidationException',
        'already ended'
      )
    });
    await expect(model.stop()).rejects.toThrow('already ended');
  });

  it('describes the best training job for Deploy best', async () => {
    mockApi({
      'GET hyper-parameter-tuning-jobs/tune-1': tuningJob(),
      'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
        TrainingJobSummaries: trials()
      },
      'GET hyper-parameter-tuning-jobs/tune-1/logs': {
        Text: '',
        NextOffset: 0,
        Complete: false
      },
      'GET training-jobs/tune-1-004-0a1b2c3d': job('tune-1-004-0a1b2c3d', {
        Status: 'Completed'
      })
    });
    model = new TuningModel('tune-1', { standby: 'never' });
    expect(await model.bestTrainingJob()).toBeNull(); // not loaded yet
    await model.refresh();
    const best = await model.bestTrainingJob();
    expect(best?.JobName).toBe('tune-1-004-0a1b2c3d');
  });

  it('keeps what it read when a later refresh fails, and says so', async () => {
    mockApi({
      'GET hyper-parameter-tuning-jobs/tune-1': tuningJob(),
      'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
        TrainingJobSummaries: trials()
      },
      'GET hyper-parameter-tuning-jobs/tune-1/logs': {
        Text: '',
        NextOffset: 0,
        Complete: false
      }
    });
    model = new TuningModel('tune-1', { standby: 'never' });
    await model.refresh();
    mockApi({
      'GET hyper-parameter-tuning-jobs/tune-1': new Error('server gone'),
      'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
        TrainingJobSummaries: []
      }
    });
    await model.refresh();
    expect(model.state.kind).toBe('ready');
    expect(model.trainingJobs).toHaveLength(6);
    expect(model.refreshError).toBe('server gone');
  });
});

describe('TuningJobsModel', () => {
  it('lists tuning jobs newest first, filters by status, polls fast while one runs', async () => {
    mockedRequestAPI.mockReset();
    const queries: Record<string, unknown>[] = [];
    const older = tuningJob({
      JobName: 'tune-0',
      Status: 'Completed',
      CreationTime: '2025-12-31T00:00:00Z'
    });
    mockApi({
      'GET hyper-parameter-tuning-jobs': (query: Record<string, unknown>) => {
        queries.push(query);
        return {
          HyperParameterTuningJobSummaries:
            query.StatusEquals === 'Completed' ? [older] : [older, tuningJob()]
        };
      }
    });
    const model = new TuningJobsModel({ standby: 'never', interval: 60 });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    const state = model.state as { items: { JobName: string }[] };
    expect(state.items.map(j => j.JobName)).toEqual(['tune-1', 'tune-0']);
    expect(model.live).toBe(true);
    expect(model.pollInterval).toBe(2);

    model.status = 'Completed';
    await waitFor(() => queries.some(q => q.StatusEquals === 'Completed'));
    await waitFor(
      () => model.state.kind === 'ready' && model.state.items.length === 1
    );
    expect(model.live).toBe(false);
    expect(model.pollInterval).toBe(60);
    model.dispose();
  });
});
