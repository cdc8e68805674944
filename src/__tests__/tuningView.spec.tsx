jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));
jest.mock('plotly.js-dist-min', () => ({
  react: jest.fn(async () => undefined),
  purge: jest.fn()
}));
jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showDialog: jest.fn(),
  showErrorMessage: jest.fn(async () => undefined)
}));
jest.mock('../widgets/endpointDeploy', () => ({
  showDeployDialog: jest.fn(async () => 'tune-1-best')
}));

import { showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as Plotly from 'plotly.js-dist-min';
import React from 'react';

import { JobModel } from '../models/job';
import { JobsModel } from '../models/jobs';
import { TuningJobsModel } from '../models/tuningJobs';
import { TuningModel } from '../models/tuningModel';
import { showDeployDialog } from '../widgets/endpointDeploy';
import { JobView } from '../widgets/jobView';
import { JobsSection } from '../widgets/jobs';
import { TuningJobsSection } from '../widgets/tuningJobs';
import {
  confirmStopTuning,
  deployBest,
  TuningView,
  TuningWidget
} from '../widgets/tuningView';
import { trial, trials, tuningJob } from './tuningFixtures';
import { Answer, job, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element) => node.textContent ?? '';
const mockedShowDialog = showDialog as jest.MockedFunction<typeof showDialog>;
const mockedDeploy = showDeployDialog as jest.MockedFunction<
  typeof showDeployDialog
>;
const mockedReact = Plotly.react as unknown as jest.Mock;

/** The routes of tune-1 with `trials()`, in `status`. */
function tuningApi(
  status: 'InProgress' | 'Completed' = 'InProgress',
  extra: Record<string, Answer> = {}
): Record<string, Answer> {
  return {
    'GET hyper-parameter-tuning-jobs/tune-1': tuningJob({ Status: status }),
    'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
      TrainingJobSummaries: trials(),
      NextToken: null
    },
    'GET hyper-parameter-tuning-jobs/tune-1/logs': {
      Text: 'started tune-1-001-0a1b2c3d\nstopped early tune-1-003-0a1b2c3d\n',
      NextOffset: 60,
      Complete: status === 'Completed'
    },
    ...extra
  };
}

describe('TuningView', () => {
  let widget: Widget | null = null;
  let model: TuningModel | null = null;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    mockedShowDialog.mockReset();
    mockedDeploy.mockClear();
    mockedReact.mockClear();
    (showErrorMessage as jest.Mock).mockClear();
  });
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(props: Partial<React.ComponentProps<typeof TuningView>> = {}) {
    model = new TuningModel('tune-1', { standby: 'never', logInterval: 0.02 });
    widget = ReactWidget.create(
      <TuningView model={model} trans={trans} {...props} />
    );
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  const rows = (node: HTMLElement) =>
    Array.from(node.querySelectorAll('.jp-mlstudio-TuningTable tbody tr'));
  const numbers = (node: HTMLElement) =>
    rows(node).map(row => row.querySelector('td')!.textContent);

  it('shows a running tuning job: header, counters, configuration, table, log', async () => {
    mockApi(tuningApi());
    const opened: string[] = [];
    const node = show({ onOpenJob: name => opened.push(name) });
    await waitFor(() => rows(node).length === 6);
    expect(node.querySelector('h1')!.textContent).toBe('tune-1');
    const header = node.querySelector('header')!;
    expect(text(header)).toContain('In progress');
    expect(text(header)).toContain('Tuning job · Random');
    const counter = (name: string) =>
      text(node.querySelector(`[data-counter="${name}"] dd`)!);
    expect(text(node)).toContain('6 of 6 training jobs started');
    expect(counter('running')).toBe('1');
    expect(counter('completed')).toBe('3');
    expect(counter('failed')).toBe('1');
    expect(counter('stopped')).toBe('1');
    expect(counter('stopped-early')).toBe('1');
    expect(counter('best')).toBe('0.91');
    const progress = node.querySelector('[role="progressbar"]')!;
    expect(progress.getAttribute('aria-valuenow')).toBe('6');
    expect(progress.getAttribute('aria-valuemax')).toBe('6');

    const search = node.querySelector('[aria-label="Search"]')!;
    expect(text(search)).toContain('maximize validation:accuracy');
    expect(text(search)).toContain('Early stoppingAuto');
    expect(text(search)).toContain('at most 6, 2 at a time');
    expect(text(search)).toContain('stop at 0.99');
    const ranges = node.querySelector('.jp-mlstudio-TuningRanges')!;
    expect(text(ranges.querySelector('[data-range="kernel"]')!)).toContain(
      'linear, rbf, poly'
    );
    expect(
      text(ranges.querySelector('[data-range="learning_rate"]')!)
    ).toContain('Logarithmic');

    // Best first; jobs without an objective last.
    expect(numbers(node)).toEqual(['4', '2', '1', '3', '5', '6']);
    const best = rows(node)[0];
    expect(best.classList).toContain('jp-mod-best');
    expect(text(best)).toContain('★ best');
    const early = node.querySelector('tr.jp-mod-early-stopped')!;
    expect(early.getAttribute('data-job')).toBe('tune-1-003-0a1b2c3d');
    expect(text(early)).toContain('Stopped early');
    const failed = node.querySelector('tr[data-status="Failed"]')!;
    expect(text(failed)).toContain('AlgorithmError: exit code 1');
    const headers = Array.from(
      node.querySelectorAll('.jp-mlstudio-TuningTable th')
    ).map(th => th.textContent);
    expect(headers).toEqual([
      '#',
      'Training job',
      'Status',
      'validation:accuracy ▼',
      'n-estimators',
      'learning_rate',
      'kernel',
      'Training time'
    ]);
    expect(
      node
        .querySelector('th[data-column="objective"]')!
        .getAttribute('aria-sort')
    ).toBe('descending');

    // The job name opens the training job.
    (best.querySelector('.jp-mlstudio-Link') as HTMLElement).click();
    expect(opened).toEqual(['tune-1-004-0a1b2c3d']);

    const stop = node.querySelector(
      '.jp-mlstudio-StopJob'
    ) as HTMLButtonElement;
    expect(stop.disabled).toBe(false);
    await waitFor(() => text(node).includes('stopped early tune-1-003'));
  });

  it('sorts by any column from its header, and reverses on a second click', async () => {
    mockApi(tuningApi());
    const node = show();
    await waitFor(() => rows(node).length === 6);
    const sortBy = async (column: string) => {
      (
        node.querySelector(`th[data-column="${column}"] button`) as HTMLElement
      ).click();
      await waitFor(
        () => !!node.querySelector(`th[data-column="${column}"][aria-sort]`)
      );
    };
    await sortBy('hp:n-estimators');
    expect(numbers(node)).toEqual(['1', '2', '3', '4', '5', '6']);
    (
      node.querySelector(
        'th[data-column="hp:n-estimators"] button'
      ) as HTMLElement
    ).click();
    await waitFor(() => numbers(node)[0] === '6');
    expect(
      node
        .querySelector('th[data-column="hp:n-estimators"]')!
        .getAttribute('aria-sort')
    ).toBe('descending');
    await sortBy('status');
    expect(numbers(node)).toEqual(['6', '1', '2', '4', '3', '5']);
    await sortBy('objective');
    expect(numbers(node)).toEqual(['4', '2', '1', '3', '5', '6']);
  });

  it('draws the objective chart with the best so far and the parallel coordinates', async () => {
    mockApi(tuningApi('Completed'));
    const node = show();
    await waitFor(() => mockedReact.mock.calls.length >= 2);
    const calls = mockedReact.mock.calls as [HTMLElement, any[]][];
    const objective = calls.find(([element]) =>
      element.getAttribute('aria-label')!.includes('by training job number')
    )!;
    const best = objective[1].find(trace => trace.name === 'Best so far');
    expect(best.x).toEqual([1, 2, 3, 4]);
    expect(best.y).toEqual([0.62, 0.8, 0.8, 0.91]);
    const parallel = calls.find(([element]) =>
      element.getAttribute('aria-label')!.includes('coloured by')
    )!;
    expect(parallel[1][0].type).toBe('parcoords');
    expect(parallel[1][0].dimensions).toHaveLength(4);
    expect(
      node.querySelector('.jp-mlstudio-ObjectiveChart [role="img"]')
    ).not.toBeNull();
    // Ended: Stop is disabled, the log complete.
    expect(
      (node.querySelector('.jp-mlstudio-StopJob') as HTMLButtonElement).disabled
    ).toBe(true);
    await waitFor(() => text(node).includes('End of log.'));
  });

  it('says what comes before any training job or objective', async () => {
    mockApi(
      tuningApi('InProgress', {
        'GET hyper-parameter-tuning-jobs/tune-1': tuningJob({ Outputs: {} }),
        'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
          TrainingJobSummaries: []
        }
      })
    );
    const node = show();
    await waitFor(() => text(node).includes('No training jobs yet'));
    expect(text(node)).toContain('The tuner starts up to 2 at a time');
    expect(text(node)).toContain('No objective values yet');
    expect(text(node)).toContain('0 of 6 training jobs started');
    const deploy = node.querySelector(
      '.jp-mlstudio-DeployBest'
    ) as HTMLButtonElement;
    expect(deploy.disabled).toBe(true);
    expect(mockedReact).not.toHaveBeenCalled();
  });

  it('counts from the training jobs when the job’s own counters lag behind', async () => {
    mockApi(
      tuningApi('InProgress', {
        'GET hyper-parameter-tuning-jobs/tune-1': tuningJob({
          Outputs: { TrainingJobStatusCounters: { InProgress: 2 } }
        }),
        'GET hyper-parameter-tuning-jobs/tune-1/training-jobs': {
          TrainingJobSummaries: [
            trial(1, 0.7, {
              TrainingJobStatus: 'Stopped',
              TrainingJobEarlyStoppingType: 'Auto'
            }),
            trial(2, null, {
              TrainingJobStatus: 'InProgress',
              TrainingEndTime: null
            })
          ]
        }
      })
    );
    const node = show();
    await waitFor(() => rows(node).length === 2);
    const counter = (name: string) =>
      text(node.querySelector(`[data-counter="${name}"] dd`)!);
    expect(counter('stopped')).toBe('1');
    expect(counter('stopped-early')).toBe('1');
    expect(counter('running')).toBe('1');
    expect(counter('best')).toBe('0.7');
    // The best job was stopped early: it has no model, and the button says so.
    const deploy = node.querySelector(
      '.jp-mlstudio-DeployBest'
    ) as HTMLButtonElement;
    expect(deploy.disabled).toBe(true);
    expect(deploy.title).toBe(
      'The best training job, tune-1-001-0a1b2c3d, is stopped: it has no model to deploy.'
    );
  });

  it('shows a failed tuning job’s reason and a load error with Retry', async () => {
    mockApi(
      tuningApi('InProgress', {
        'GET hyper-parameter-tuning-jobs/tune-1': tuningJob({
          Status: 'Failed',
          FailureReason: 'All training jobs failed',
          Outputs: {
            ...tuningJob().Outputs,
            CompletionReason: 'MaxNumberOfTrainingJobs reached'
          }
        })
      })
    );
    const node = show();
    await waitFor(() => text(node).includes('All training jobs failed'));
    expect(
      node.querySelector('.jp-mlstudio-JobFailure')!.getAttribute('role')
    ).toBe('alert');
    expect(text(node)).toContain(
      'Completion reason MaxNumberOfTrainingJobs reached'
    );
    widget!.dispose();
    model!.dispose();

    mockApi({ 'GET hyper-parameter-tuning-jobs/tune-1': new Error('no such') });
    const failed = show();
    await waitFor(() => text(failed).includes('no such'));
    expect(text(failed)).toContain('Could not load tuning job “tune-1”.');
    mockApi(tuningApi());
    (failed.querySelector('.jp-mlstudio-RetryButton') as HTMLElement).click();
    await waitFor(() => rows(failed).length === 6);
  });

  it('Stop asks first: keeping it running sends nothing, confirming stops', async () => {
    const stops: number[] = [];
    mockApi(
      tuningApi('InProgress', {
        'POST hyper-parameter-tuning-jobs/tune-1/stop': () => {
          stops.push(1);
          return tuningJob({ Status: 'Stopping' });
        }
      })
    );
    show();
    await model!.refresh();
    mockedShowDialog.mockResolvedValueOnce({
      button: { accept: false } as any,
      isChecked: null,
      value: null
    });
    expect(await confirmStopTuning(model!, trans)).toBe(false);
    expect(stops).toEqual([]);
    expect(mockedShowDialog.mock.calls[0][0]!.title).toBe(
      'Stop tuning job “tune-1”?'
    );
    mockedShowDialog.mockResolvedValueOnce({
      button: { accept: true } as any,
      isChecked: null,
      value: null
    });
    expect(await confirmStopTuning(model!, trans)).toBe(true);
    expect(stops).toEqual([1]);
  });

  it('Deploy best deploys the best training job’s model, or says why not', async () => {
    const completed = job('tune-1-004-0a1b2c3d', {
      Status: 'Completed',
      Spec: { ScriptMode: { EntryPoint: '/work/tune/train.py' } },
      Outputs: {
        ModelArtifacts: {
          S3ModelArtifacts: 'file:///studio/jobs/tune-1-004/model.tar.gz'
        }
      }
    });
    mockApi(
      tuningApi('Completed', {
        'GET training-jobs/tune-1-004-0a1b2c3d': completed
      })
    );
    const endpoints: string[] = [];
    const node = show({ onOpenEndpoint: name => endpoints.push(name) });
    await waitFor(() => rows(node).length === 6);
    const deploy = node.querySelector(
      '.jp-mlstudio-DeployBest'
    ) as HTMLButtonElement;
    expect(deploy.disabled).toBe(false);
    expect(deploy.title).toContain('tune-1-004-0a1b2c3d');
    deploy.click();
    await waitFor(() => mockedDeploy.mock.calls.length === 1);
    expect(mockedDeploy.mock.calls[0][0].JobName).toBe('tune-1-004-0a1b2c3d');
    mockedDeploy.mock.calls[0][2]!('tune-1-best');
    expect(endpoints).toEqual(['tune-1-best']);

    // A best job without a model: an explanation, no dialog.
    mockApi(
      tuningApi('Completed', {
        'GET training-jobs/tune-1-004-0a1b2c3d': { ...completed, Outputs: {} }
      })
    );
    expect(await deployBest(model!, trans)).toBeNull();
    expect(mockedDeploy).toHaveBeenCalledTimes(1);
    expect((showErrorMessage as jest.Mock).mock.calls[0][0]).toBe(
      'Nothing to deploy'
    );
  });
});

describe('TuningWidget', () => {
  it('polls only while on screen and disposes its model', async () => {
    mockedRequestAPI.mockReset();
    let reads = 0;
    mockApi({
      ...tuningApi(),
      'GET hyper-parameter-tuning-jobs/tune-1': () => {
        reads++;
        return tuningJob();
      }
    });
    const model = new TuningModel('tune-1', {
      standby: 'never',
      interval: 0.02,
      logInterval: 0.02
    });
    const widget = new TuningWidget(model, trans);
    Widget.attach(widget, document.body);
    expect(widget.title.label).toBe('tune-1');
    await waitFor(() => reads >= 3);
    widget.hide();
    expect(model.active).toBe(false);
    expect(model.log.active).toBe(false);
    const hidden = reads;
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(reads).toBe(hidden);
    widget.show();
    await waitFor(() => reads > hidden);
    widget.dispose();
    expect(model.isDisposed).toBe(true);
  });
});

describe('training jobs a tuning job started', () => {
  it('name their tuning job in the Jobs section and link to it from their view', async () => {
    mockedRequestAPI.mockReset();
    const tagged = job('tune-1-004-0a1b2c3d', {
      Status: 'Completed',
      Tags: { 'mlstudio:tuning-job': 'tune-1' }
    });
    mockApi({
      'GET training-jobs': { TrainingJobSummaries: [tagged, job('plain')] },
      'GET processing-jobs': { ProcessingJobSummaries: [] },
      'GET auto-ml-jobs': { AutoMLJobSummaries: [] },
      'GET training-jobs/tune-1-004-0a1b2c3d': tagged,
      'GET training-jobs/tune-1-004-0a1b2c3d/logs': {
        Text: '',
        NextOffset: 0,
        Complete: true
      }
    });
    const jobs = new JobsModel({ standby: 'never' });
    const section = ReactWidget.create(
      <JobsSection model={jobs} trans={trans} />
    );
    Widget.attach(section, document.body);
    jobs.active = true;
    await waitFor(() => section.node.querySelectorAll('li').length === 2);
    const [first, second] = Array.from(section.node.querySelectorAll('li'));
    expect(text(first.querySelector('.jp-mlstudio-Row-tuning')!)).toBe(
      'tuning tune-1'
    );
    expect(second.querySelector('.jp-mlstudio-Row-tuning')).toBeNull();
    section.dispose();
    jobs.dispose();

    const opened: string[] = [];
    const model = new JobModel('TrainingJob', 'tune-1-004-0a1b2c3d', {
      standby: 'never'
    });
    const view = ReactWidget.create(
      <JobView
        model={model}
        trans={trans}
        onOpenTuningJob={name => opened.push(name)}
      />
    );
    Widget.attach(view, document.body);
    await model.refresh();
    await waitFor(
      () => !!view.node.querySelector('.jp-mlstudio-JobHeader-tuning')
    );
    (
      view.node.querySelector('.jp-mlstudio-JobHeader-tuning') as HTMLElement
    ).click();
    expect(opened).toEqual(['tune-1']);
    view.dispose();
    model.dispose();
  });
});

describe('TuningJobsSection', () => {
  it('lists tuning jobs with progress, running count and best objective; opens them', async () => {
    mockedRequestAPI.mockReset();
    const done = tuningJob({
      JobName: 'tune-0',
      Status: 'Completed',
      CreationTime: '2025-12-31T00:00:00Z',
      StartTime: '2025-12-31T00:00:00Z',
      EndTime: '2025-12-31T00:02:00Z',
      Outputs: {
        TrainingJobStatusCounters: { Completed: 4 },
        BestTrainingJob: trial(2, 0.5)
      }
    });
    const queries: Record<string, unknown>[] = [];
    mockApi({
      'GET hyper-parameter-tuning-jobs': (query: Record<string, unknown>) => {
        queries.push(query);
        return { HyperParameterTuningJobSummaries: [done, tuningJob()] };
      }
    });
    const model = new TuningJobsModel({ standby: 'never' });
    const opened: string[] = [];
    const widget = ReactWidget.create(
      <TuningJobsSection
        model={model}
        trans={trans}
        onOpen={item => opened.push(item.JobName)}
      />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    const node = widget.node;
    await waitFor(() => node.querySelectorAll('li').length === 2);
    const [running, ended] = Array.from(node.querySelectorAll('li'));
    expect(text(running)).toContain('tune-1');
    expect(text(running)).toContain('Random');
    expect(text(running)).toContain('6 of 6 jobs');
    expect(text(running)).toContain('1 running');
    expect(text(running)).toContain('best validation:accuracy 0.91 (max)');
    expect(running.getAttribute('aria-label')).toBe(
      'tune-1, tuning job, In progress, 6 of 6 jobs'
    );
    expect(text(ended)).toContain('4 of 6 jobs');
    expect(text(ended)).toContain('2m 00s');
    expect(text(ended)).not.toContain('running');
    expect(text(ended)).toContain('best validation:accuracy 0.5 (max)');
    expect(
      ended.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')
    ).toBe('4');

    running.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    ended.click();
    expect(opened).toEqual(['tune-1', 'tune-0']);

    const status = node.querySelector(
      '.jp-mlstudio-TuningFilters-status'
    ) as HTMLSelectElement;
    status.value = 'Failed';
    status.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => queries.some(q => q.StatusEquals === 'Failed'));
    widget.dispose();
    model.dispose();
  });

  it('explains what appears here when there is nothing yet', async () => {
    mockedRequestAPI.mockReset();
    mockApi({
      'GET hyper-parameter-tuning-jobs': {
        HyperParameterTuningJobSummaries: []
      }
    });
    const model = new TuningJobsModel({ standby: 'never' });
    const widget = ReactWidget.create(
      <TuningJobsSection model={model} trans={trans} />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    await waitFor(() => text(widget.node).includes('No tuning jobs yet'));
    expect(text(widget.node)).toContain('HyperparameterTuner’s fit()');
    widget.dispose();
    model.dispose();
  });
});
