jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { Contents } from '@jupyterlab/services';

import { DATA_EXPLORATION_NOTEBOOK, listAllCandidates } from '../api/automl';
import { candidateObjectiveFigure } from '../components/automlFigures';
import {
  candidateDeployRequests,
  canDeployCandidate,
  deployCandidate
} from '../models/automlDeploy';
import { AutoMLModel } from '../models/automlModel';
import { saveAutoMLNotebook } from '../models/automlNotebooks';
import {
  automlSummary,
  candidateRanks,
  objectiveSeries,
  objectiveType,
  sortCandidates,
  stageTimeline,
  trainingSeconds
} from '../models/automlSpec';
import { DeployError } from '../models/endpointDeploy';
import { JobsModel } from '../models/jobs';
import { secondaryStatusOf } from '../widgets/jobs';
import {
  at,
  automlJob,
  candidate,
  candidates,
  completedJob
} from './automlFixtures';
import { Answer, job, mockApi, mockedRequestAPI, waitFor } from './utils';

const names = (list: { CandidateName: string }[]) =>
  list.map(item => item.CandidateName.slice(0, 9));

describe('automlSpec', () => {
  it('reads the problem type, objective, target and rows from the outputs', () => {
    expect(automlSummary(automlJob())).toEqual({
      problemType: 'BinaryClassification',
      metricName: 'F1',
      target: 'churn',
      rows: 2000,
      classes: ['no', 'yes']
    });
    // Before the analysis: the request's target and objective, nothing else.
    const early = automlJob({ Outputs: {} });
    early.Spec!.AutoMLJobObjective = { MetricName: 'Accuracy' };
    expect(automlSummary(early)).toEqual({
      problemType: null,
      metricName: 'Accuracy',
      target: 'churn',
      rows: null,
      classes: []
    });
  });

  it('lays out the stage timeline of a running job: done, current, pending end', () => {
    const steps = stageTimeline(automlJob());
    expect(steps.map(step => [step.stage, step.state])).toEqual([
      ['Starting', 'done'],
      ['AnalyzingData', 'done'],
      ['FeatureEngineering', 'done'],
      ['TrainingModels', 'current'],
      ['Completed', 'pending']
    ]);
    expect(steps[0].start).toBe(at(0));
    expect(steps[0].end).toBe(at(1.5));
    expect(steps[3].end).toBeNull();
    expect(steps[4].ending).toBe(true);
  });

  it('ends the timeline with the reason the job ended, and marks stages never reached', () => {
    const steps = stageTimeline(completedJob());
    expect(steps.map(step => step.state)).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done'
    ]);
    expect(steps[4].stage).toBe('MaxCandidatesReached');
    expect(steps[4].end).toBe(at(20));

    const failed = automlJob({
      Status: 'Failed',
      EndTime: at(2),
      outputs: {
        AutoMLJobSecondaryStatus: 'Failed',
        Stages: [
          { Stage: 'Starting', StartTime: at(0), EndTime: at(1) },
          { Stage: 'AnalyzingData', StartTime: at(1) }
        ]
      }
    });
    expect(
      stageTimeline(failed).map(step => [step.stage, step.state, step.end])
    ).toEqual([
      ['Starting', 'done', at(1)],
      // the stage it failed in ends with the job
      ['AnalyzingData', 'done', at(2)],
      ['FeatureEngineering', 'skipped', null],
      ['TrainingModels', 'skipped', null],
      ['Failed', 'done', at(2)]
    ]);
  });

  it('names the training stage as the job does (ModelTuning)', () => {
    const tuning = automlJob({
      outputs: {
        Stages: [{ Stage: 'ModelTuning', StartTime: at(3) }]
      }
    });
    expect(stageTimeline(tuning)[3]).toMatchObject({
      stage: 'ModelTuning',
      state: 'current'
    });
  });

  it('ranks candidates by objective, best first, those without one unranked', () => {
    const ranks = candidateRanks(candidates(), 'Maximize');
    expect(
      [...ranks.entries()].map(([name, rank]) => [name.slice(0, 9), rank])
    ).toEqual([
      ['churn-002', 1],
      ['churn-001', 2],
      ['churn-003', 3],
      ['churn-004', 4]
    ]);
    const minimized = candidateRanks(candidates(), 'Minimize');
    expect(minimized.get(candidates()[3].CandidateName)).toBe(1);
  });

  it('infers the objective direction from the candidates, else from the metric', () => {
    expect(objectiveType(candidates(), 'F1')).toBe('Maximize');
    expect(objectiveType([], 'MSE')).toBe('Minimize');
    expect(objectiveType([], 'Accuracy')).toBe('Maximize');
    expect(objectiveType([], null)).toBe('Maximize');
  });

  it('sorts by every column; missing values last, ties in launch order', () => {
    const all = candidates();
    const now = Date.parse(at(30));
    const by = (
      column: Parameters<typeof sortCandidates>[1]['column'],
      descending = false
    ) => names(sortCandidates(all, { column, descending }, 'Maximize', now));
    expect(by('rank')).toEqual([
      'churn-002',
      'churn-001',
      'churn-003',
      'churn-004',
      'churn-005'
    ]);
    expect(by('objective', true)).toEqual(by('rank'));
    expect(by('objective')).toEqual([
      'churn-004',
      'churn-003',
      'churn-001',
      'churn-002',
      'churn-005'
    ]);
    expect(by('algorithm')).toEqual([
      'churn-004',
      'churn-001',
      'churn-002',
      'churn-003',
      'churn-005'
    ]);
    expect(by('preprocessing')).toEqual([
      'churn-001',
      'churn-003',
      'churn-004',
      'churn-002',
      'churn-005'
    ]);
    // The running one has trained longest by now (21 s).
    expect(by('duration', true)).toEqual([
      'churn-005',
      'churn-004',
      'churn-003',
      'churn-001',
      'churn-002'
    ]);
    expect(by('status')[0]).toBe('churn-001');
    expect(by('status', true)[0]).toBe('churn-005');
    expect(by('name', true)[0]).toBe('churn-005');
  });

  it('measures training time from creation to end, or to now', () => {
    const [first, , , , running] = candidates();
    expect(trainingSeconds(first)).toBe(4);
    expect(trainingSeconds(running, Date.parse(at(19)))).toBe(10);
  });

  it('charts the objective in launch order with the best so far', () => {
    const series = objectiveSeries(candidates(), 'Maximize');
    expect(series.numbers).toEqual([1, 2, 3, 4]);
    expect(series.values).toEqual([0.8307, 0.8456, 0.8187, 0.7959]);
    expect(series.best).toEqual([0.8307, 0.8456, 0.8456, 0.8456]);
    const figure = candidateObjectiveFigure(candidates(), 'Maximize', 'F1', {
      candidateNumber: 'Candidate',
      objective: 'Objective',
      candidate: 'Candidate',
      bestSoFar: 'Best so far',
      best: 'Best'
    });
    expect(figure.data.map(trace => trace.name)).toEqual([
      'Candidate',
      'Best so far',
      'Best'
    ]);
    expect(figure.data[2].x).toEqual([2]);
    expect(figure.data[2].customdata).toEqual([candidates()[1].CandidateName]);
    expect(figure.layout.xaxis!.range).toEqual([0.5, 5.5]);
    expect((figure.layout.yaxis!.title as { text: string }).text).toBe('F1');
    const empty = candidateObjectiveFigure([], 'Maximize', 'F1', {
      candidateNumber: '',
      objective: '',
      candidate: 'Candidate',
      bestSoFar: '',
      best: ''
    });
    expect(empty.data).toHaveLength(1);
  });
});

/** The routes of churn with `candidates()` (in `status`). */
function automlApi(
  status: 'InProgress' | 'Completed' = 'InProgress',
  extra: Record<string, Answer> = {}
): Record<string, Answer> {
  return {
    'GET auto-ml-jobs/churn':
      status === 'Completed' ? completedJob() : automlJob(),
    'GET auto-ml-jobs/churn/candidates': {
      Candidates: candidates(),
      NextToken: null
    },
    'GET auto-ml-jobs/churn/logs': {
      Text: '2026-12-06T17:08:35 stage AnalyzingData\n',
      NextOffset: 40,
      Complete: status === 'Completed'
    },
    ...extra
  };
}

describe('the AutoML API', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('reads every page of candidates in launch order, times made ISO', async () => {
    const queries: Record<string, unknown>[] = [];
    const all = candidates();
    mockApi({
      'GET auto-ml-jobs/churn/candidates': (query: Record<string, unknown>) => {
        queries.push(query);
        return query.NextToken
          ? { Candidates: all.slice(3), NextToken: null }
          : { Candidates: all.slice(0, 3), NextToken: 'page-2' };
      }
    });
    const read = await listAllCandidates('churn');
    expect(names(read)).toEqual(names(all));
    expect(queries[0]).toMatchObject({
      SortBy: 'CreationTime',
      SortOrder: 'Ascending',
      MaxResults: 100
    });
    expect(queries[1].NextToken).toBe('page-2');
    expect(read[0].CreationTime).toBe(at(5));
    expect(read[0].EndTime).toBe(at(9));
  });
});

describe('AutoMLModel', () => {
  let model: AutoMLModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    model?.dispose();
    model = null;
  });

  it('loads the job and its candidates, the best and the leaderboard order', async () => {
    mockApi(automlApi());
    model = new AutoMLModel('churn', { standby: 'never', interval: 60 });
    await model.refresh();
    expect(model.state.kind).toBe('ready');
    expect(model.job!.JobName).toBe('churn');
    expect(model.candidates).toHaveLength(5);
    expect(model.summary!.metricName).toBe('F1');
    expect(model.objectiveType).toBe('Maximize');
    expect(model.best!.CandidateName).toBe(candidates()[1].CandidateName);
    expect(model.deployable!.CandidateName).toBe(candidates()[1].CandidateName);
    expect(model.canStop).toBe(true);
    expect(names(model.sortedCandidates())[0]).toBe('churn-002');

    // Sorting: a new column starts in its natural order, the same one reverses.
    const changes: string[] = [];
    model.stateChanged.connect(() => changes.push(model!.sort.column));
    model.sortBy('objective');
    expect(model.sort).toEqual({ column: 'objective', descending: true });
    model.sortBy('objective');
    expect(model.sort).toEqual({ column: 'objective', descending: false });
    model.sortBy('algorithm');
    expect(model.sort).toEqual({ column: 'algorithm', descending: false });
    expect(changes).toEqual(['objective', 'objective', 'algorithm']);
  });

  it('picks the best of the candidates while the job names none, and cannot deploy then', async () => {
    mockApi(
      automlApi('InProgress', {
        'GET auto-ml-jobs/churn': automlJob({ best: null })
      })
    );
    model = new AutoMLModel('churn', { standby: 'never', interval: 60 });
    await model.refresh();
    expect(model.best!.CandidateName).toBe(candidates()[1].CandidateName);
    expect(model.deployable).toBeNull();
  });

  it('polls while the job runs, stops polling once it ended', async () => {
    let reads = 0;
    let status: 'InProgress' | 'Completed' = 'InProgress';
    mockApi({
      ...automlApi(),
      'GET auto-ml-jobs/churn': () => {
        reads++;
        return status === 'Completed' ? completedJob() : automlJob();
      }
    });
    model = new AutoMLModel('churn', {
      standby: 'never',
      interval: 0.02,
      logInterval: 60
    });
    model.active = true;
    await waitFor(() => reads >= 3);
    status = 'Completed';
    await waitFor(() => model!.job?.Status === 'Completed');
    const settled = reads;
    await new Promise(resolve => setTimeout(resolve, 120));
    expect(reads).toBeLessThanOrEqual(settled + 1);
    expect(model.canStop).toBe(false);
  });

  it('keeps what it read when a refresh fails, and shows an error before that', async () => {
    mockApi({
      ...automlApi(),
      'GET auto-ml-jobs/churn': new Error('server down')
    });
    model = new AutoMLModel('churn', { standby: 'never', interval: 60 });
    await model.refresh();
    expect(model.state).toEqual({ kind: 'error', message: 'server down' });
    mockApi(automlApi());
    await model.refresh();
    expect(model.state.kind).toBe('ready');
    mockApi({
      ...automlApi(),
      'GET auto-ml-jobs/churn': new Error('gone again')
    });
    await model.refresh();
    expect(model.state.kind).toBe('ready');
    expect(model.refreshError).toBe('gone again');
  });

  it('stops the job, then reloads it', async () => {
    const posted: string[] = [];
    mockApi(
      automlApi('InProgress', {
        'POST auto-ml-jobs/churn/stop': () => {
          posted.push('stop');
          return automlJob({ Status: 'Stopping' });
        }
      })
    );
    model = new AutoMLModel('churn', { standby: 'never', interval: 60 });
    await model.refresh();
    await model.stop();
    expect(posted).toEqual(['stop']);
    const calls = mockedRequestAPI.mock.calls.map(call => call[0]);
    expect(calls.filter(path => path === 'auto-ml-jobs/churn')).toHaveLength(2);
  });
});

describe('deploying a candidate', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  const options = {
    endpointName: 'churn-best',
    variantName: 'AllTraffic',
    instanceCount: 1,
    captureData: false
  };

  it('makes a pipeline model of its containers, named as a training job deploy', () => {
    const best = candidates()[1];
    const requests = candidateDeployRequests(best, options, '20261206-170900');
    expect(requests.model.ModelName).toBe('churn-best-20261206-170900');
    expect(requests.model.InferenceExecutionConfig).toEqual({ Mode: 'Serial' });
    expect(
      requests.model.Containers.map(c => [c.ContainerHostname, c.ModelDataUrl])
    ).toEqual([
      ['feature-transform', best.InferenceContainers![0].ModelDataUrl],
      ['algorithm', best.InferenceContainers![1].ModelDataUrl]
    ]);
    expect(requests.model.Containers[0].Environment!.SAGEMAKER_PROGRAM).toBe(
      'automl_inference.py'
    );
    expect(requests.config.ProductionVariants[0]).toMatchObject({
      ModelName: 'churn-best-20261206-170900',
      InstanceType: 'local',
      InitialInstanceCount: 1
    });
    expect(requests.config.DataCaptureConfig).toBeUndefined();
    expect(requests.endpoint).toEqual({
      EndpointName: 'churn-best',
      EndpointConfigName: 'churn-best-20261206-170900'
    });
  });

  it('deploys only a completed candidate with containers', () => {
    expect(canDeployCandidate(candidates()[1])).toBe(true);
    expect(canDeployCandidate(candidates()[4])).toBe(false);
    expect(
      canDeployCandidate(candidate(6, 0.5, { InferenceContainers: [] }))
    ).toBe(false);
    expect(canDeployCandidate(null)).toBe(false);
  });

  it('creates the model, the configuration and the endpoint, naming the step that fails', async () => {
    const bodies: Record<string, unknown>[] = [];
    mockApi({
      'POST models': (_: unknown, body: unknown) => {
        bodies.push(body as Record<string, unknown>);
        return { ModelName: 'm' };
      },
      'POST endpoint-configs': (_: unknown, body: unknown) => {
        bodies.push(body as Record<string, unknown>);
        return {};
      },
      'POST endpoints': {
        EndpointName: 'churn-best',
        EndpointStatus: 'Creating'
      }
    });
    const endpoint = await deployCandidate(candidates()[1], options);
    expect(endpoint.EndpointName).toBe('churn-best');
    expect(bodies[0].Containers).toHaveLength(2);
    expect(bodies[0].PrimaryContainer).toBeUndefined();
    expect(bodies[1].EndpointConfigName).toBe(bodies[0].ModelName);

    mockApi({ 'POST models': new Error('bad container') });
    const failure = await deployCandidate(candidates()[1], options).catch(
      error => error
    );
    expect(failure).toBeInstanceOf(DeployError);
    expect(failure.step).toBe('model');
    expect(failure.message).toBe('bad container');
  });
});

describe('the notebooks', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('are read through the artifacts route and saved under automl/<job>/', async () => {
    const notebook = {
      cells: [],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    };
    mockApi({
      [`GET auto-ml-jobs/churn/artifacts/${DATA_EXPLORATION_NOTEBOOK}`]:
        notebook
    });
    const saved: [string, Partial<Contents.IModel>][] = [];
    const contents = {
      save: jest.fn(async (path: string, options: Partial<Contents.IModel>) => {
        saved.push([path, options]);
        return { path } as Contents.IModel;
      })
    } as unknown as Contents.IManager;
    const path = await saveAutoMLNotebook(
      contents,
      'churn',
      DATA_EXPLORATION_NOTEBOOK
    );
    expect(path).toBe(`automl/churn/${DATA_EXPLORATION_NOTEBOOK}`);
    expect(saved).toEqual([
      ['automl', { type: 'directory' }],
      ['automl/churn', { type: 'directory' }],
      [path, { type: 'notebook', format: 'json', content: notebook }]
    ]);
  });

  it('are not saved when the job has not written them', async () => {
    mockApi({});
    const contents = { save: jest.fn() } as unknown as Contents.IManager;
    await expect(
      saveAutoMLNotebook(contents, 'churn', DATA_EXPLORATION_NOTEBOOK)
    ).rejects.toThrow('Unexpected request');
    expect(contents.save).not.toHaveBeenCalled();
  });
});

describe('the Jobs section with AutoML jobs', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('lists AutoML jobs with the others, newest first, and filters by kind', async () => {
    const queries: Record<string, unknown>[] = [];
    mockApi({
      'GET training-jobs': {
        TrainingJobSummaries: [
          job('train-old', { CreationTime: '2026-01-01T00:00:00Z' })
        ]
      },
      'GET processing-jobs': { ProcessingJobSummaries: [] },
      'GET auto-ml-jobs': (query: Record<string, unknown>) => {
        queries.push(query);
        return {
          AutoMLJobSummaries: [
            automlJob({ CreationTime: '2026-02-01T00:00:00Z' })
          ],
          NextToken: null
        };
      }
    });
    const model = new JobsModel({ standby: 'never' });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    const items = () =>
      (model.state as { items: { JobName: string; Kind: string }[] }).items;
    expect(items().map(item => `${item.Kind}/${item.JobName}`)).toEqual([
      'AutoMLJob/churn',
      'TrainingJob/train-old'
    ]);
    expect(model.live).toBe(true);

    const calls = mockedRequestAPI.mock.calls.length;
    model.filter = { status: 'Completed', kind: 'AutoMLJob' };
    await waitFor(() => queries.some(q => q.StatusEquals === 'Completed'));
    await waitFor(() => items().length === 1);
    expect(mockedRequestAPI.mock.calls.slice(calls).map(c => c[0])).toEqual([
      'auto-ml-jobs'
    ]);
    model.filter = { status: '', kind: 'TrainingJob' };
    await waitFor(
      () => items().length === 1 && items()[0].Kind === 'TrainingJob'
    );
    model.dispose();
  });

  it('shows an AutoML job’s secondary status from its outputs', () => {
    expect(secondaryStatusOf(automlJob())).toBe('TrainingModels');
    expect(secondaryStatusOf(completedJob())).toBe('MaxCandidatesReached');
    expect(
      secondaryStatusOf(
        automlJob({
          Status: 'Failed',
          outputs: { AutoMLJobSecondaryStatus: 'Failed' }
        })
      )
    ).toBeNull();
    expect(secondaryStatusOf(job('train'))).toBe('Training');
  });
});
