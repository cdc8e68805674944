jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { createTrainingJob } from '../api/jobs';
import { StudioApiError } from '../api/request';
import { ICreateTrainingJobRequest, IJob, IJobLogChunk } from '../api/types';
import { JobModel } from '../models/job';
import { JobLog } from '../models/jobLog';
import { JobsModel, LIVE_INTERVAL } from '../models/jobs';
import {
  formatSeconds,
  isTerminal,
  jobConfig,
  jobArtifacts,
  jobHosts,
  modelArtifactUri
} from '../models/jobSpec';
import { job, mockApi, mockedRequestAPI, waitFor } from './utils';

describe('JobLog', () => {
  let log: JobLog;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => log?.dispose());

  /** Serve `text` in pieces: each read gets the next piece, then Complete. */
  function serve(pieces: string[], queries: Record<string, unknown>[]) {
    let sent = 0;
    mockApi({
      'GET training-jobs/train-1/logs': (query: Record<string, unknown>) => {
        queries.push(query);
        const offset = Number(query.Offset);
        const text = pieces[sent] ?? '';
        sent = Math.min(sent + 1, pieces.length);
        const chunk: IJobLogChunk = {
          Text: text,
          NextOffset: offset + text.length,
          Complete: sent >= pieces.length && text === ''
        };
        return chunk;
      }
    });
  }

  it('follows the log with offsets, joining lines split across reads', async () => {
    const queries: Record<string, unknown>[] = [];
    serve(['epoch=0 loss=0.5\nepo', 'ch=1 loss=0.3\n', 'done', ''], queries);
    log = new JobLog('TrainingJob', 'train-1', 'algo-2', { standby: 'never' });
    await log.refresh();
    expect(log.lines).toEqual(['epoch=0 loss=0.5', 'epo']);
    await log.refresh();
    expect(log.lines).toEqual(['epoch=0 loss=0.5', 'epoch=1 loss=0.3']);
    await log.refresh();
    expect(log.lines).toEqual(['epoch=0 loss=0.5', 'epoch=1 loss=0.3', 'done']);
    expect(log.complete).toBe(false);
    await log.refresh();
    expect(log.complete).toBe(true);
    expect(queries.map(q => q.Offset)).toEqual([0, 20, 34, 38]);
    expect(queries.every(q => q.Host === 'algo-2')).toBe(true);

    // Complete: no more reads.
    const calls = mockedRequestAPI.mock.calls.length;
    await log.refresh();
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(mockedRequestAPI.mock.calls.length).toBe(calls);
  });

  it('polls by itself until complete', async () => {
    const queries: Record<string, unknown>[] = [];
    serve(['a\n', 'b\n', ''], queries);
    log = new JobLog('TrainingJob', 'train-1', 'algo-1', {
      standby: 'never',
      interval: 0.01
    });
    await waitFor(() => log.complete, 5000);
    expect(log.lines).toEqual(['a', 'b']);
    expect(log.version).toBeGreaterThanOrEqual(3);
  });

  it('appends a chunk once when refreshed while its read is in flight', async () => {
    const offsets: number[] = [];
    const reads: ((chunk: IJobLogChunk) => void)[] = [];
    mockApi({
      'GET training-jobs/train-1/logs': (query: Record<string, unknown>) => {
        offsets.push(Number(query.Offset));
        if (offsets.length > 2) {
          return { Text: '', NextOffset: query.Offset, Complete: false };
        }
        return new Promise(resolve => reads.push(resolve));
      }
    });
    log = new JobLog('TrainingJob', 'train-1', 'algo-1', {
      standby: 'never',
      interval: 60
    });
    await waitFor(() => reads.length === 1); // the first tick's read
    const refreshed = log.refresh(); // e.g. the view's refresh button
    await waitFor(() => reads.length === 2);
    const chunk = { Text: 'epoch=0\n', NextOffset: 8, Complete: false };
    reads[1](chunk);
    await refreshed;
    reads[0](chunk); // the older read answers last: nothing more to append
    await log.refresh();
    expect(log.lines).toEqual(['epoch=0']);
    expect(offsets).toEqual([0, 0, 8]);
  });

  it('keeps the error of a failed read and recovers', async () => {
    mockApi({
      'GET training-jobs/train-1/logs': new StudioApiError(
        404,
        'ResourceNotFound',
        'no job train-1'
      )
    });
    log = new JobLog('TrainingJob', 'train-1', 'algo-1', { standby: 'never' });
    await log.refresh();
    await waitFor(() => log.error !== null);
    expect(log.error).toBe('no job train-1');
    serve(['ok\n', ''], []);
    await log.refresh();
    expect(log.error).toBeNull();
    expect(log.lines).toEqual(['ok']);
  });
});

describe('JobModel', () => {
  let model: JobModel;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => model?.dispose());

  it('loads the job, picks its hosts and stops it', async () => {
    let status: IJob['Status'] = 'InProgress';
    const stops: string[] = [];
    mockApi({
      'GET training-jobs/train-1': () =>
        job('train-1', {
          Status: status,
          Spec: { ResourceConfig: { InstanceType: 'local', InstanceCount: 3 } }
        }),
      'POST training-jobs/train-1/stop': () => {
        stops.push('train-1');
        status = 'Stopping';
        return job('train-1', { Status: status });
      }
    });
    model = new JobModel('TrainingJob', 'train-1', { standby: 'never' });
    await model.refresh();
    expect(model.state.kind).toBe('ready');
    expect(model.hosts).toEqual(['algo-1', 'algo-2', 'algo-3']);
    expect(model.canStop).toBe(true);
    expect(model.run).toBeNull();
    model.host = 'algo-3';
    expect(model.log.host).toBe('algo-3');

    await model.stop();
    expect(stops).toEqual(['train-1']);
    expect(model.job?.Status).toBe('Stopping');
    expect(model.canStop).toBe(false);
  });

  it('shows an error when the job cannot be loaded, and a refused stop throws', async () => {
    mockApi({
      'GET training-jobs/nope': new StudioApiError(
        404,
        'ResourceNotFound',
        'TrainingJob nope does not exist'
      ),
      'POST training-jobs/nope/stop': new StudioApiError(
        409,
        'ResourceInUse',
        'the job has ended'
      )
    });
    model = new JobModel('TrainingJob', 'nope', { standby: 'never' });
    await model.refresh();
    expect(model.state).toEqual({
      kind: 'error',
      message: 'TrainingJob nope does not exist'
    });
    await expect(model.stop()).rejects.toThrow('the job has ended');
  });

  it('follows the run of the job for its metrics', async () => {
    mockApi({
      'GET training-jobs/train-1': job('train-1', {
        TrialComponentName: 'train-1-run'
      }),
      'GET trial-components/train-1-run': {
        TrialComponentName: 'train-1-run',
        Status: { PrimaryStatus: 'Completed' },
        Metrics: [{ MetricName: 'loss' }]
      },
      'GET trial-components/train-1-run/metrics/loss': {
        Points: [{ Step: 0, Value: 0.5 }]
      }
    });
    model = new JobModel('TrainingJob', 'train-1', { standby: 'never' });
    await model.refresh();
    const run = model.run!;
    expect(run.name).toBe('train-1-run');
    await waitFor(() => run.state.kind === 'ready');
    expect(run.state.kind === 'ready' && run.state.series.loss).toHaveLength(1);
  });
});

describe('JobsModel', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('polls faster while a job is in progress, and filters', async () => {
    let status: IJob['Status'] = 'InProgress';
    const queries: Record<string, unknown>[] = [];
    mockApi({
      'GET training-jobs': (query: Record<string, unknown>) => {
        queries.push(query);
        return { TrainingJobSummaries: [job('train-1', { Status: status })] };
      },
      'GET processing-jobs': { ProcessingJobSummaries: [] },
      'GET auto-ml-jobs': { AutoMLJobSummaries: [] }
    });
    const model = new JobsModel({ standby: 'never', interval: 30 });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    expect(model.live).toBe(true);
    expect(model.pollInterval).toBe(LIVE_INTERVAL);
    expect(model.interval).toBe(30);

    status = 'Completed';
    await model.refresh();
    expect(model.live).toBe(false);
    expect(model.pollInterval).toBe(30);

    const calls = mockedRequestAPI.mock.calls.length;
    model.filter = { status: 'Failed', kind: 'TrainingJob' };
    await waitFor(() => queries.some(q => q.StatusEquals === 'Failed'));
    // Only training jobs are asked for.
    const paths = mockedRequestAPI.mock.calls.slice(calls).map(c => c[0]);
    expect(paths).toEqual(['training-jobs']);
    model.dispose();
  });

  it('shows the jobs of the newest filter when an older answer comes last', async () => {
    const answers = new Map<string, (jobs: unknown) => void>();
    mockApi({
      'GET training-jobs': (query: Record<string, unknown>) => {
        const status = String(query.StatusEquals ?? '');
        if (!status || answers.has(status)) {
          return { TrainingJobSummaries: [] }; // the first list, the last refresh
        }
        return new Promise(resolve => answers.set(status, resolve));
      },
      'GET processing-jobs': { ProcessingJobSummaries: [] },
      'GET auto-ml-jobs': { AutoMLJobSummaries: [] }
    });
    const model = new JobsModel({ standby: 'never', interval: 60 });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    model.filter = { status: 'Failed', kind: 'TrainingJob' };
    await waitFor(() => answers.has('Failed'));
    // changed again before the first answer: asks again, for the new filter
    model.filter = { status: 'Completed', kind: 'TrainingJob' };
    await waitFor(() => answers.has('Completed'));
    const completed = job('done', { Status: 'Completed' });
    answers.get('Completed')!({ TrainingJobSummaries: [completed] });
    await waitFor(() => model.state.kind === 'ready' && items().length === 1);
    const states: string[][] = [];
    model.stateChanged.connect(() => states.push(items()));
    answers.get('Failed')!({
      TrainingJobSummaries: [job('broke', { Status: 'Failed' })]
    });
    await model.refresh(); // answers [] once the late answer had its turn
    expect(states).toEqual([[]]);
    model.dispose();

    function items(): string[] {
      return model.state.kind === 'ready'
        ? model.state.items.map(item => item.JobName)
        : [];
    }
  });
});

describe('createTrainingJob', () => {
  it('posts the request as JSON and answers the job', async () => {
    mockedRequestAPI.mockReset();
    const bodies: unknown[] = [];
    mockedRequestAPI.mockImplementation(async (path, init = {}) => {
      bodies.push(JSON.parse(String(init.body)));
      expect(`${init.method} ${path}`).toBe('POST training-jobs');
      return job('train-1') as never;
    });
    const created = await createTrainingJob({
      TrainingJobName: 'train-1',
      ScriptMode: { EntryPoint: 'train.py', SourceDir: null }
      // The generated request type lists defaulted fields as required (the server's
      // OpenAPI document describes bodies in serialization mode).
    } as ICreateTrainingJobRequest);
    expect(created.JobName).toBe('train-1');
    expect(bodies[0]).toMatchObject({ ScriptMode: { EntryPoint: 'train.py' } });
  });
});

describe('job configuration', () => {
  it('reads a script-mode training job', () => {
    const training = job('train-1', {
      Spec: {
        ScriptMode: { EntryPoint: 'train.py', SourceDir: '/src' },
        HyperParameters: { C: 0.5, epochs: '2' },
        InputDataConfig: [
          {
            ChannelName: 'train',
            DataSource: { S3DataSource: { S3Uri: 'file:///data/train' } }
          }
        ],
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2 },
        StoppingCondition: { MaxRuntimeInSeconds: 5400 },
        AlgorithmSpecification: {
          MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }]
        }
      },
      Outputs: {
        ModelArtifacts: { S3ModelArtifacts: 'file:///home/jobs/model.tar.gz' }
      }
    });
    const config = jobConfig(training);
    expect(config.entryPoint).toBe('train.py');
    expect(config.image).toBeUndefined();
    expect(config.hyperParameters).toEqual([
      ['C', '0.5'],
      ['epochs', '2']
    ]);
    expect(config.inputs).toEqual([
      { name: 'train', uri: 'file:///data/train' }
    ]);
    expect(config.instanceType).toBe('ml.m5.large');
    expect(formatSeconds(config.maxRuntimeSeconds!)).toBe('1h 30m');
    expect(config.metricDefinitions[0].name).toBe('loss');
    expect(jobHosts(training)).toEqual(['algo-1', 'algo-2']);
    expect(modelArtifactUri(training)).toBe('file:///home/jobs/model.tar.gz');
    expect(jobArtifacts(training).map(a => a.name)).toEqual(['model']);
  });

  it('says where a processing output went when the spec left it to the studio', () => {
    const outputs = (published: unknown[]) =>
      jobConfig(
        job('prep', {
          Kind: 'ProcessingJob',
          Spec: {
            ProcessingOutputConfig: {
              Outputs: [
                { OutputName: 'clean', S3Output: { LocalPath: '/out/clean' } },
                {
                  OutputName: 'stats',
                  S3Output: { S3Uri: 's3://b/stats', LocalPath: '/out/stats' }
                }
              ]
            }
          },
          Outputs: { ProcessingOutputs: published }
        })
      ).outputs.map(output => [output.name, output.uri]);
    // Not published yet: the studio has not chosen.
    expect(outputs([])).toEqual([
      ['clean', ''],
      ['stats', 's3://b/stats']
    ]);
    expect(
      outputs([
        { OutputName: 'clean', S3Uri: 'file:///studio/jobs/prep/output/clean' },
        { OutputName: 'stats', S3Uri: 's3://b/stats' }
      ])
    ).toEqual([
      ['clean', 'file:///studio/jobs/prep/output/clean'],
      ['stats', 's3://b/stats']
    ]);
  });

  it('reads a processing job and survives odd specs', () => {
    const processing = job('prep', {
      Kind: 'ProcessingJob',
      Spec: {
        AppSpecification: {
          ImageUri: 'mlstudio/sklearn:local',
          ContainerEntrypoint: ['python3', 'prep.py']
        },
        ProcessingInputs: [
          {
            InputName: 'raw',
            S3Input: { S3Uri: 's3://b/raw', LocalPath: '/opt/ml/processing/in' }
          }
        ],
        ProcessingResources: { ClusterConfig: { InstanceCount: 1 } }
      }
    });
    const config = jobConfig(processing);
    expect(config.image).toBe('mlstudio/sklearn:local');
    expect(config.command).toEqual(['python3', 'prep.py']);
    expect(config.inputs[0].localPath).toBe('/opt/ml/processing/in');
    expect(
      jobArtifacts({
        ...processing,
        Outputs: {
          ProcessingOutputs: [
            { OutputName: 'clean', S3Uri: 'file:///out/clean' }
          ]
        }
      })
    ).toEqual([{ name: 'clean', uri: 'file:///out/clean' }]);
    const odd = jobConfig(
      job('odd', { Spec: { HyperParameters: 3, InputDataConfig: 'x' } })
    );
    expect(odd.hyperParameters).toEqual([]);
    expect(odd.instanceCount).toBe(1);
    expect(isTerminal({ Status: 'Stopping' })).toBe(false);
    expect(isTerminal({ Status: 'Stopped' })).toBe(true);
  });
});
