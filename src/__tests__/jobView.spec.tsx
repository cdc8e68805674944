jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));
jest.mock('plotly.js-dist-min', () => ({
  react: jest.fn(async () => undefined),
  purge: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { IJob } from '../api/types';
import { JobModel } from '../models/job';
import { JobLog } from '../models/jobLog';
import { JobsModel } from '../models/jobs';
import { JobView, JobWidget } from '../widgets/jobView';
import { JobsSection } from '../widgets/jobs';
import { job, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: HTMLElement) => node.textContent ?? '';

/** Type into a React-controlled input. */
function type(input: HTMLInputElement, value: string): void {
  Object.getOwnPropertyDescriptor(
    HTMLInputElement.prototype,
    'value'
  )!.set!.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

const SPEC = {
  ScriptMode: { EntryPoint: 'train.py' },
  HyperParameters: { C: '0.5', epochs: '8' },
  InputDataConfig: [
    {
      ChannelName: 'train',
      DataSource: { S3DataSource: { S3Uri: 'file:///data/train' } }
    }
  ],
  ResourceConfig: { InstanceType: 'local', InstanceCount: 2 },
  StoppingCondition: { MaxRuntimeInSeconds: 600 }
};

describe('JobView', () => {
  let widget: Widget | null = null;
  let model: JobModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(props: Partial<React.ComponentProps<typeof JobView>> = {}) {
    model = new JobModel('TrainingJob', 'train-1', {
      standby: 'never',
      logInterval: 0.02
    });
    widget = ReactWidget.create(
      <JobView model={model} trans={trans} {...props} />
    );
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  it('shows a running job: configuration, timeline, live log, Stop', async () => {
    const logs = [
      'epoch=0 loss=0.5\n',
      'epoch=1 loss=0.25\nval_accuracy=0.9\n'
    ];
    const hosts: unknown[] = [];
    let read = 0;
    mockApi({
      'GET training-jobs/train-1': job('train-1', {
        Spec: SPEC,
        TrialComponentName: 'train-1-run',
        SecondaryStatusTransitions: [
          {
            Status: 'Starting',
            StartTime: '2026-01-01T00:00:00Z',
            EndTime: '2026-01-01T00:00:04Z',
            StatusMessage: 'Preparing the instances for training'
          },
          {
            Status: 'Training',
            StartTime: '2026-01-01T00:00:04Z',
            EndTime: null,
            StatusMessage: null
          }
        ]
      }),
      'GET training-jobs/train-1/logs': (query: Record<string, unknown>) => {
        hosts.push(query.Host);
        const chunk = logs[read++] ?? '';
        return { Text: chunk, NextOffset: 0, Complete: false };
      },
      'GET trial-components/train-1-run': {
        TrialComponentName: 'train-1-run',
        Status: { PrimaryStatus: 'InProgress' },
        Metrics: [{ MetricName: 'train:loss' }]
      },
      'GET trial-components/train-1-run/metrics/train%3Aloss': {
        Points: [
          { Step: 0, Value: 0.5 },
          { Step: 1, Value: 0.25 }
        ]
      }
    });
    const opened: string[] = [];
    const node = show({ onOpenRun: name => opened.push(name) });
    await waitFor(() => text(node).includes('Configuration'));
    expect(node.querySelector('h1')!.textContent).toBe('train-1');
    expect(text(node)).toContain('train.py');
    expect(text(node)).toContain('local × 2');
    expect(text(node)).toContain('10m');
    const hyper = node.querySelector('[aria-label="Hyperparameters"]')!;
    expect(text(hyper as HTMLElement)).toContain('epochs8');
    expect(text(node)).toContain('file:///data/train');

    const steps = node.querySelectorAll('.jp-mlstudio-Timeline-step');
    expect(steps).toHaveLength(2);
    expect(steps[0].textContent).toContain('4s');
    expect(steps[0].textContent).toContain('Preparing the instances');
    expect(steps[1].textContent).toContain('so far');

    await waitFor(() => text(node).includes('val_accuracy=0.9'), 3000);
    expect(node.querySelectorAll('.jp-mlstudio-LogViewer-line')).toHaveLength(
      3
    );
    expect(hosts[0]).toBe('algo-1');

    // Search highlights matches and counts them.
    const search = node.querySelector(
      '.jp-mlstudio-LogViewer-search'
    ) as HTMLInputElement;
    type(search, 'LOSS');
    await waitFor(() => text(node).includes('1 of 2'));
    expect(node.querySelectorAll('mark')).toHaveLength(2);
    search.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    await waitFor(() => text(node).includes('2 of 2'));
    expect(
      node.querySelector('.jp-mlstudio-LogViewer-line.jp-mod-current')!
        .textContent
    ).toContain('epoch=1');

    // Two instances: a host selector that switches the log.
    const host = node.querySelector(
      '.jp-mlstudio-LogHost'
    ) as HTMLSelectElement;
    expect(Array.from(host.options).map(o => o.value)).toEqual([
      'algo-1',
      'algo-2'
    ]);
    host.value = 'algo-2';
    host.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => hosts.includes('algo-2'));

    const stop = node.querySelector(
      '.jp-mlstudio-StopJob'
    ) as HTMLButtonElement;
    expect(stop.disabled).toBe(false);

    await waitFor(() => !!node.querySelector('.jp-mlstudio-MetricChart'));
    (node.querySelector('.jp-mlstudio-JobHeader-run') as HTMLElement).click();
    expect(opened).toEqual(['train-1-run']);
  });

  it('shows a failed job: reason, exit code, Stop disabled, the model URI', async () => {
    const failed: IJob = job('train-1', {
      Status: 'Failed',
      SecondaryStatus: 'Failed',
      FailureReason: 'ValueError: the data is bad',
      ExitCode: 3,
      EndTime: '2026-01-01T00:01:00Z',
      Outputs: {
        ModelArtifacts: {
          S3ModelArtifacts: 'file:///studio/jobs/train-1/output/model.tar.gz'
        }
      }
    });
    mockApi({
      'GET training-jobs/train-1': failed,
      'GET training-jobs/train-1/logs': {
        Text: 'Traceback\n',
        NextOffset: 10,
        Complete: true
      }
    });
    const node = show();
    await waitFor(() => text(node).includes('Failure reason'));
    const alert = node.querySelector('.jp-mlstudio-JobFailure')!;
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('ValueError: the data is bad');
    expect(text(node)).toContain('Exit code3');
    expect(
      (node.querySelector('.jp-mlstudio-StopJob') as HTMLButtonElement).disabled
    ).toBe(true);
    expect(text(node)).toContain('1m 00s');
    expect(text(node)).toContain('model.tar.gz');
    expect(text(node)).toContain('Copy URI');
    expect(text(node)).toContain('no run');
    await waitFor(() => text(node).includes('End of log.'));
    expect(node.querySelector('.jp-mlstudio-LogHost')).toBeNull();
  });

  it('offers the model for download from the job’s own artifacts route', async () => {
    mockApi({
      'GET training-jobs/train-1': job('train-1', {
        Status: 'Completed',
        TrialComponentName: 'r1',
        Outputs: {
          ModelArtifacts: {
            S3ModelArtifacts: 'file:///studio/artifacts/runs/r1/model.tar.gz'
          }
        }
      }),
      'GET training-jobs/train-1/logs': {
        Text: '',
        NextOffset: 0,
        Complete: true
      },
      'GET trial-components/r1': {
        TrialComponentName: 'r1',
        Status: { PrimaryStatus: 'Completed' },
        Metrics: []
      }
    });
    const node = show();
    await waitFor(() => !!node.querySelector('a[download]'));
    const link = node.querySelector('a[download]') as HTMLAnchorElement;
    expect(link.href).toContain(
      'mlstudio/api/training-jobs/train-1/artifacts/model.tar.gz'
    );
    expect(link.getAttribute('download')).toBe('model.tar.gz');
    await waitFor(() => text(node).includes('No metrics yet.'));
  });

  it('shows a processing job: command, inputs and outputs, log, outputs published', async () => {
    mockApi({
      'GET processing-jobs/prep': job('prep', {
        Kind: 'ProcessingJob',
        Status: 'Completed',
        Spec: {
          AppSpecification: {
            ContainerEntrypoint: [
              'python3',
              '/opt/ml/processing/input/code/prep.py'
            ],
            ContainerArguments: ['--rows', '3']
          },
          ProcessingInputs: [
            {
              InputName: 'data',
              S3Input: {
                S3Uri: 'file:///data',
                LocalPath: '/opt/ml/processing/input/data'
              }
            }
          ],
          ProcessingOutputConfig: {
            Outputs: [
              {
                OutputName: 'clean',
                S3Output: {
                  S3Uri: 'file:///out',
                  LocalPath: '/opt/ml/processing/output'
                }
              }
            ]
          }
        },
        Outputs: {
          ProcessingOutputs: [{ OutputName: 'clean', S3Uri: 'file:///out' }]
        }
      }),
      'GET processing-jobs/prep/logs': {
        Text: 'rows=3\n',
        NextOffset: 7,
        Complete: true
      }
    });
    model = new JobModel('ProcessingJob', 'prep', { standby: 'never' });
    widget = ReactWidget.create(<JobView model={model} trans={trans} />);
    Widget.attach(widget, document.body);
    await model.refresh();
    const node = widget.node;
    await waitFor(() => text(node).includes('rows=3'));
    expect(text(node)).toContain('Processing job');
    expect(text(node)).toContain(
      'python3 /opt/ml/processing/input/code/prep.py --rows 3'
    );
    expect(text(node)).toContain('/opt/ml/processing/input/data');
    expect(node.querySelector('[aria-label="Inputs"]')!.textContent).toContain(
      'Outputs'
    );
    expect(
      node.querySelector('[data-artifact="clean"]')!.textContent
    ).toContain('file:///out');
  });

  it('shows the error of a job that cannot be loaded', async () => {
    mockApi({ 'GET training-jobs/train-1': new Error('no such job') });
    const node = show();
    await waitFor(() => text(node).includes('no such job'));
    expect(node.querySelector('[role="alert"]')).not.toBeNull();
  });
});

describe('JobWidget', () => {
  it('polls the job and its log only while the view is on screen', async () => {
    mockedRequestAPI.mockReset();
    const reads: string[] = [];
    mockApi({
      'GET training-jobs/train-1': () => {
        reads.push('job');
        return job('train-1', { Spec: SPEC });
      },
      'GET training-jobs/train-1/logs': (query: Record<string, unknown>) => {
        reads.push(`log ${query.Host}`);
        return { Text: '', NextOffset: 0, Complete: false };
      }
    });
    const model = new JobModel('TrainingJob', 'train-1', {
      standby: 'never',
      interval: 0.02,
      logInterval: 0.02
    });
    const widget = new JobWidget(model, trans);
    Widget.attach(widget, document.body);
    const count = (what: string) => reads.filter(r => r === what).length;
    await waitFor(() => count('job') >= 2 && count('log algo-1') >= 2);
    expect(model.active).toBe(true);

    widget.hide(); // another tab in front
    expect(model.active).toBe(false);
    expect(model.log.active).toBe(false);
    const shown = reads.length;
    // A log on screen elsewhere, read as often, says how much time passed.
    const clock = new JobLog('TrainingJob', 'train-1', 'algo-9', {
      standby: 'never',
      interval: 0.02
    });
    await waitFor(() => count('log algo-9') >= 5);
    clock.dispose();
    expect(reads.filter(r => r !== 'log algo-9')).toHaveLength(shown);

    widget.show(); // reloads at once
    expect(model.active).toBe(true);
    await waitFor(() => reads.length > shown + count('log algo-9'));
    widget.dispose();
    expect(model.isDisposed).toBe(true);
  });
});

describe('JobsSection', () => {
  it('lists jobs with a live duration, filters and opens them', async () => {
    mockedRequestAPI.mockReset();
    const started = new Date(Date.now() - 65_000).toISOString();
    const queries: Record<string, unknown>[] = [];
    mockApi({
      'GET training-jobs': (query: Record<string, unknown>) => {
        queries.push(query);
        return {
          TrainingJobSummaries: [
            job('train-live', { StartTime: started, CreationTime: started })
          ]
        };
      },
      'GET processing-jobs': { ProcessingJobSummaries: [] },
      'GET auto-ml-jobs': { AutoMLJobSummaries: [] }
    });
    const model = new JobsModel({ standby: 'never' });
    const opened: string[] = [];
    const widget = ReactWidget.create(
      <JobsSection
        model={model}
        trans={trans}
        onOpen={item => opened.push(`${item.Kind}/${item.JobName}`)}
      />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    const node = widget.node;
    await waitFor(() => node.querySelectorAll('li').length === 1);
    const row = node.querySelector('li')!;
    expect(row.textContent).toContain('Training');
    const durationOf = () =>
      row.querySelector('.jp-mlstudio-Row-duration')!.textContent;
    const first = durationOf();
    expect(first).toMatch(/^1m 0[5-6]s$/);
    await waitFor(() => durationOf() !== first, 2500);

    row.click();
    row.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    expect(opened).toEqual([
      'TrainingJob/train-live',
      'TrainingJob/train-live'
    ]);

    const status = node.querySelector(
      '.jp-mlstudio-JobFilters-status'
    ) as HTMLSelectElement;
    status.value = 'Failed';
    status.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => queries.some(q => q.StatusEquals === 'Failed'));
    widget.dispose();
    model.dispose();
  });

  it('shows the chosen filters at once, while their list is read', async () => {
    mockedRequestAPI.mockReset();
    const held: (() => void)[] = [];
    const answer = (list: string) => async () => {
      await new Promise<void>(resolve => held.push(resolve));
      return { [list]: [] };
    };
    mockApi({
      'GET training-jobs': answer('TrainingJobSummaries'),
      'GET processing-jobs': answer('ProcessingJobSummaries'),
      'GET auto-ml-jobs': answer('AutoMLJobSummaries')
    });
    const model = new JobsModel({ standby: 'never' });
    const widget = ReactWidget.create(
      <JobsSection model={model} trans={trans} />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    const select = (name: string) =>
      widget.node.querySelector(
        `.jp-mlstudio-JobFilters-${name}`
      ) as HTMLSelectElement;
    const choose = (name: string, value: string) => {
      select(name).value = value;
      select(name).dispatchEvent(new Event('change', { bubbles: true }));
    };
    await waitFor(() => !!select('status'));
    // Both filters chosen before any list arrives: both stay chosen, and apply.
    choose('status', 'Failed');
    await waitFor(() => select('status').value === 'Failed');
    choose('kind', 'ProcessingJob');
    await waitFor(() => select('kind').value === 'ProcessingJob');
    expect(select('status').value).toBe('Failed');
    expect(model.filter).toEqual({ status: 'Failed', kind: 'ProcessingJob' });
    held.forEach(resolve => resolve());
    widget.dispose();
    model.dispose();
  });
});
