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

import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as Plotly from 'plotly.js-dist-min';
import React from 'react';

import {
  AutoMLNotebook,
  CANDIDATE_DEFINITION_NOTEBOOK,
  DATA_EXPLORATION_NOTEBOOK
} from '../api/automl';
import { AutoMLModel } from '../models/automlModel';
import { IDeployOptions } from '../models/endpointDeploy';
import { JobsModel } from '../models/jobs';
import { showCandidateDeployDialog } from '../widgets/automlDeploy';
import { AutoMLView, AutoMLWidget } from '../widgets/automlView';
import { JobsSection } from '../widgets/jobs';
import { automlJob, candidates, completedJob } from './automlFixtures';
import { Answer, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element | null) => node?.textContent ?? '';
const mockedShowDialog = showDialog as jest.MockedFunction<typeof showDialog>;
const mockedReact = Plotly.react as unknown as jest.Mock;

function automlApi(
  job = automlJob(),
  extra: Record<string, Answer> = {}
): Record<string, Answer> {
  return {
    'GET auto-ml-jobs/churn': job,
    'GET auto-ml-jobs/churn/candidates': {
      Candidates: candidates(),
      NextToken: null
    },
    'GET auto-ml-jobs/churn/logs': {
      Text: '2026-12-06T17:08:35 stage AnalyzingData\n2026-12-06T17:08:38 churn-001-0a1b2c3d: hist-gradient-boosting\n',
      NextOffset: 90,
      Complete: job.Status !== 'InProgress'
    },
    ...extra
  };
}

describe('AutoMLView', () => {
  let widget: Widget | null = null;
  let model: AutoMLModel | null = null;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    mockedShowDialog.mockReset();
    mockedReact.mockClear();
    (showErrorMessage as jest.Mock).mockClear();
  });
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(props: Partial<React.ComponentProps<typeof AutoMLView>> = {}) {
    model = new AutoMLModel('churn', { standby: 'never', logInterval: 0.02 });
    widget = ReactWidget.create(
      <AutoMLView model={model} trans={trans} {...props} />
    );
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  const rows = (node: HTMLElement) =>
    Array.from(
      node.querySelectorAll('.jp-mlstudio-AutoMLLeaderboard tbody tr')
    );
  const rowNames = (node: HTMLElement) =>
    rows(node).map(row =>
      (row.getAttribute('data-candidate') ?? '').slice(0, 9)
    );

  it('shows a running job: header, stages, leaderboard, chart, data, log', async () => {
    mockApi(automlApi());
    const opened: string[] = [];
    const node = show({ onOpenJob: name => opened.push(name) });
    await waitFor(() => rows(node).length === 5);
    expect(text(node.querySelector('h1'))).toBe('churn');
    const header = node.querySelector('header')!;
    expect(text(header)).toContain('In progress');
    expect(text(header.querySelector('.jp-mlstudio-AutoMLSecondary'))).toBe(
      'Training models'
    );
    const fact = (name: string) =>
      text(header.querySelector(`[data-fact="${name}"] dd`));
    expect(fact('problem-type')).toBe('BinaryClassification');
    expect(fact('objective')).toBe('F1');
    expect(fact('target')).toBe('churn');
    expect(fact('rows')).toBe('2,000');
    const stop = node.querySelector(
      '.jp-mlstudio-StopJob'
    ) as HTMLButtonElement;
    expect(stop.disabled).toBe(false);

    // The stages: three done with their durations, training current, the end pending.
    const steps = Array.from(
      node.querySelectorAll('.jp-mlstudio-AutoMLTimeline-step')
    );
    expect(steps.map(step => step.getAttribute('data-state'))).toEqual([
      'done',
      'done',
      'done',
      'current',
      'pending'
    ]);
    expect(text(steps[0])).toBe('Starting2s');
    expect(text(steps[2])).toBe('Feature engineering2s');
    expect(steps[3].getAttribute('aria-current')).toBe('step');
    expect(text(steps[3])).toMatch(/^Training models.* so far$/);
    expect(text(steps[4])).toBe('Completednot yet');

    // The leaderboard: by rank, the best starred, the running one last.
    expect(rowNames(node)).toEqual([
      'churn-002',
      'churn-001',
      'churn-003',
      'churn-004',
      'churn-005'
    ]);
    const best = rows(node)[0];
    expect(best.classList).toContain('jp-mod-best');
    expect(text(best)).toContain('★ best');
    const cells = Array.from(best.querySelectorAll('td')).map(text);
    expect(cells).toEqual([
      '1',
      'churn-002-0a1b2c3d★ best',
      '0.8456',
      'linear',
      'scaled-onehot',
      'Completed',
      '2s'
    ]);
    expect(text(rows(node)[4].querySelector('td'))).toBe('—');
    const headers = Array.from(
      node.querySelectorAll('.jp-mlstudio-AutoMLLeaderboard th')
    ).map(th => th.textContent);
    expect(headers).toEqual([
      'Rank ▲',
      'Candidate',
      'F1',
      'Algorithm',
      'Preprocessing',
      'Status',
      'Training time'
    ]);
    // A candidate's name opens its training job.
    (best.querySelector('.jp-mlstudio-Link') as HTMLElement).click();
    expect(opened).toEqual(['churn-002-0a1b2c3d']);

    // The chart: one point per candidate with a value, the best so far, the best.
    await waitFor(() => mockedReact.mock.calls.length > 0);
    const data = mockedReact.mock.calls[
      mockedReact.mock.calls.length - 1
    ][1] as {
      name: string;
      y: number[];
    }[];
    expect(data.map(trace => trace.name)).toEqual([
      'Candidate',
      'Best so far',
      'Best'
    ]);
    expect(data[1].y).toEqual([0.8307, 0.8456, 0.8456, 0.8456]);
    expect(
      node
        .querySelector('.jp-mlstudio-AutoMLChart [role="img"]')!
        .getAttribute('aria-label')
    ).toBe('F1 by candidate');

    // The data panel: the target first, then each column.
    const columns = Array.from(
      node.querySelectorAll('.jp-mlstudio-AutoMLData tbody tr')
    ).map(row => Array.from(row.querySelectorAll('td')).map(text));
    expect(columns).toEqual([
      ['churn', 'target', '', '2'],
      ['customer_id', 'dropped', '0', '2,000'],
      ['age', 'numeric', '211', '62'],
      ['city', 'categorical', '90', '4']
    ]);
    expect(text(node.querySelector('.jp-mlstudio-AutoMLData-summary'))).toBe(
      '2000 rows, 3 columns; classes no, yes (problem type inferred: the target has two distinct values)'
    );

    // The log.
    await waitFor(() => text(node).includes('stage AnalyzingData'));
  });

  it('sorts from the headers (buttons), and reverses on a second click', async () => {
    mockApi(automlApi());
    const node = show();
    await waitFor(() => rows(node).length === 5);
    const click = (column: string) =>
      (
        node.querySelector(`th[data-column="${column}"] button`) as HTMLElement
      ).click();
    click('duration');
    await waitFor(
      () =>
        !!node.querySelector(
          'th[data-column="duration"][aria-sort="ascending"]'
        )
    );
    expect(rowNames(node).slice(0, 4)).toEqual([
      'churn-002',
      'churn-001',
      'churn-003',
      'churn-004'
    ]);
    click('objective');
    await waitFor(
      () =>
        !!node.querySelector(
          'th[data-column="objective"][aria-sort="descending"]'
        )
    );
    expect(rowNames(node)[0]).toBe('churn-002');
    click('objective');
    await waitFor(
      () =>
        !!node.querySelector(
          'th[data-column="objective"][aria-sort="ascending"]'
        )
    );
    expect(rowNames(node)[0]).toBe('churn-004');
    expect(rowNames(node)[4]).toBe('churn-005');
  });

  it('opens the notebooks the job wrote; the other waits', async () => {
    mockApi(automlApi());
    const opened: AutoMLNotebook[] = [];
    const node = show({
      onOpenNotebook: async file => {
        opened.push(file);
      }
    });
    await waitFor(() => rows(node).length === 5);
    const button = (file: string) =>
      node.querySelector(
        `.jp-mlstudio-AutoMLNotebook[data-notebook="${file}"]`
      ) as HTMLButtonElement;
    expect(text(button(DATA_EXPLORATION_NOTEBOOK))).toBe(
      'Open data exploration notebook'
    );
    expect(button(DATA_EXPLORATION_NOTEBOOK).disabled).toBe(false);
    expect(button(CANDIDATE_DEFINITION_NOTEBOOK).disabled).toBe(true);
    expect(button(CANDIDATE_DEFINITION_NOTEBOOK).title).toBe(
      'The job has not written this notebook yet.'
    );
    button(DATA_EXPLORATION_NOTEBOOK).click();
    await waitFor(() => opened.length === 1);
    expect(opened).toEqual([DATA_EXPLORATION_NOTEBOOK]);
  });

  it('says why a notebook did not open', async () => {
    mockApi(automlApi());
    const node = show({
      onOpenNotebook: async () => {
        throw new Error('No such artifact');
      }
    });
    await waitFor(() => rows(node).length === 5);
    (
      node.querySelector(
        `[data-notebook="${DATA_EXPLORATION_NOTEBOOK}"]`
      ) as HTMLButtonElement
    ).click();
    await waitFor(() => (showErrorMessage as jest.Mock).mock.calls.length > 0);
    expect((showErrorMessage as jest.Mock).mock.calls[0][0]).toBe(
      `Could not open ${DATA_EXPLORATION_NOTEBOOK}`
    );
  });

  it('disables Deploy best with a reason until the job has a best candidate', async () => {
    mockApi(automlApi(automlJob({ best: null })));
    const node = show();
    await waitFor(() => rows(node).length === 5);
    const deploy = node.querySelector(
      '.jp-mlstudio-DeployBest'
    ) as HTMLButtonElement;
    expect(deploy.disabled).toBe(true);
    expect(deploy.title).toBe('The job has no best candidate yet.');
    // The leaderboard still stars the best candidate read.
    expect(rows(node)[0].classList).toContain('jp-mod-best');
  });

  it('deploys the best candidate as a pipeline model and opens its endpoint', async () => {
    const bodies: Record<string, Record<string, unknown>> = {};
    const record = (route: string) => (_: unknown, body: unknown) => {
      bodies[route] = body as Record<string, unknown>;
      return route === 'endpoints'
        ? { EndpointName: 'churn-live', EndpointStatus: 'Creating' }
        : {};
    };
    mockApi(
      automlApi(completedJob(), {
        'POST models': record('models'),
        'POST endpoint-configs': record('endpoint-configs'),
        'POST endpoints': record('endpoints')
      })
    );
    const value: IDeployOptions = {
      endpointName: 'churn-live',
      variantName: 'AllTraffic',
      instanceCount: 1,
      captureData: true
    };
    mockedShowDialog.mockResolvedValue({
      button: { accept: true } as Dialog.IButton,
      value,
      isChecked: null
    });
    const endpoints: string[] = [];
    const node = show({ onOpenEndpoint: name => endpoints.push(name) });
    await waitFor(() => rows(node).length === 5);
    const deploy = node.querySelector(
      '.jp-mlstudio-DeployBest'
    ) as HTMLButtonElement;
    expect(deploy.disabled).toBe(false);
    expect(deploy.title).toBe(
      'Deploy the best candidate, churn-002-0a1b2c3d, as an inference pipeline'
    );
    expect(
      (node.querySelector('.jp-mlstudio-StopJob') as HTMLButtonElement).disabled
    ).toBe(true);
    deploy.click();
    await waitFor(() => endpoints.length === 1);
    expect(endpoints).toEqual(['churn-live']);
    expect(mockedShowDialog.mock.calls[0][0]!.title).toBe(
      'Deploy the best candidate of “churn”: churn-002-0a1b2c3d'
    );
    const containers = bodies.models.Containers as {
      ContainerHostname: string;
    }[];
    expect(containers.map(c => c.ContainerHostname)).toEqual([
      'feature-transform',
      'algorithm'
    ]);
    expect(bodies['endpoint-configs'].DataCaptureConfig).toBeTruthy();
    expect(bodies.endpoints.EndpointName).toBe('churn-live');
  });

  it('asks again while the options are refused, and stops when cancelled', async () => {
    mockedShowDialog
      .mockResolvedValueOnce({
        button: { accept: true } as Dialog.IButton,
        value: {
          endpointName: '-bad-',
          variantName: 'AllTraffic',
          instanceCount: 1,
          captureData: false
        },
        isChecked: null
      })
      .mockResolvedValueOnce({
        button: { accept: false } as Dialog.IButton,
        value: null,
        isChecked: null
      });
    mockApi({});
    const answer = await showCandidateDeployDialog(
      'churn',
      candidates()[1],
      trans
    );
    expect(answer).toBeNull();
    expect(mockedShowDialog).toHaveBeenCalledTimes(2);
    expect(mockedRequestAPI).not.toHaveBeenCalled();
  });

  it('asks before Stop, then stops the job; a refusal is shown', async () => {
    let stops = 0;
    let status: 'InProgress' | 'Stopping' = 'InProgress';
    mockApi(
      automlApi(automlJob(), {
        'GET auto-ml-jobs/churn': () => automlJob({ Status: status }),
        'POST auto-ml-jobs/churn/stop': () => {
          stops++;
          status = 'Stopping';
          return automlJob({ Status: 'Stopping' });
        }
      })
    );
    const node = show();
    await waitFor(() => rows(node).length === 5);
    const stop = () =>
      node.querySelector('.jp-mlstudio-StopJob') as HTMLButtonElement;
    mockedShowDialog.mockResolvedValueOnce({
      button: { accept: false } as Dialog.IButton,
      value: null,
      isChecked: null
    });
    stop().click();
    await waitFor(() => mockedShowDialog.mock.calls.length === 1);
    expect(mockedShowDialog.mock.calls[0][0]!.title).toBe(
      'Stop AutoML job “churn”?'
    );
    expect(stops).toBe(0);
    mockedShowDialog.mockResolvedValueOnce({
      button: { accept: true } as Dialog.IButton,
      value: null,
      isChecked: null
    });
    stop().click();
    await waitFor(() => stops === 1);
    await waitFor(() => stop().disabled);
    expect(text(node.querySelector('header'))).toContain('Stopping');

    // The server refuses (the job ended meanwhile): the reason is shown.
    status = 'InProgress';
    mockApi(
      automlApi(automlJob(), {
        'POST auto-ml-jobs/churn/stop': new Error('The job already ended')
      })
    );
    await model!.refresh();
    await waitFor(() => !stop().disabled);
    mockedShowDialog.mockResolvedValueOnce({
      button: { accept: true } as Dialog.IButton,
      value: null,
      isChecked: null
    });
    stop().click();
    await waitFor(() => (showErrorMessage as jest.Mock).mock.calls.length > 0);
    expect((showErrorMessage as jest.Mock).mock.calls[0][0]).toBe(
      'Could not stop “churn”'
    );
  });

  it('shows the end of a completed job and an error state with Retry', async () => {
    mockApi(automlApi(completedJob()));
    let node = show();
    await waitFor(() => rows(node).length === 5);
    const last = node.querySelector(
      '.jp-mlstudio-AutoMLTimeline-step.jp-mod-ending'
    )!;
    expect(last.getAttribute('data-stage')).toBe('MaxCandidatesReached');
    expect(text(last)).toBe('Max candidates reachedended');
    widget!.dispose();
    model!.dispose();

    mockApi({
      ...automlApi(),
      'GET auto-ml-jobs/churn': new Error('No AutoML job churn')
    });
    node = show();
    await waitFor(() => text(node).includes('Could not load AutoML job'));
    expect(text(node)).toContain('No AutoML job churn');
    mockApi(automlApi());
    (node.querySelector('button') as HTMLButtonElement).click();
    await waitFor(() => rows(node).length === 5);
  });

  it('shows empty states before any candidate and before the analysis', async () => {
    mockApi(
      automlApi(
        automlJob({
          best: null,
          Outputs: {
            AutoMLJobSecondaryStatus: 'AnalyzingData',
            Stages: [{ Stage: 'Starting', StartTime: '2026-12-06T17:08:34Z' }]
          }
        }),
        {
          'GET auto-ml-jobs/churn/candidates': {
            Candidates: [],
            NextToken: null
          }
        }
      )
    );
    const node = show();
    await waitFor(() => text(node).includes('No candidates yet'));
    expect(text(node)).toContain('Not analysed yet');
    expect(text(node)).toContain('No objective values yet');
    expect(mockedReact).not.toHaveBeenCalled();
  });

  it('polls only while its widget is on screen, and disposes its model', async () => {
    let reads = 0;
    mockApi({
      ...automlApi(),
      'GET auto-ml-jobs/churn': () => {
        reads++;
        return automlJob();
      }
    });
    const view = new AutoMLWidget(
      new AutoMLModel('churn', { standby: 'never', interval: 0.02 }),
      trans
    );
    expect(view.id).toBe('mlstudio-automl-job-churn');
    expect(view.title.caption).toBe('AutoML job churn');
    Widget.attach(view, document.body);
    await waitFor(() => reads >= 2);
    view.hide();
    expect(view.model.active).toBe(false);
    const hidden = reads;
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(reads).toBeLessThanOrEqual(hidden + 1);
    view.show();
    await waitFor(() => reads > hidden + 1);
    view.dispose();
    expect(view.model.isDisposed).toBe(true);
  });
});

describe('the Jobs section', () => {
  it('lists an AutoML job with its kind and secondary status, and opens it', async () => {
    mockedRequestAPI.mockReset();
    mockApi({
      'GET training-jobs': { TrainingJobSummaries: [] },
      'GET processing-jobs': { ProcessingJobSummaries: [] },
      'GET auto-ml-jobs': { AutoMLJobSummaries: [automlJob()], NextToken: null }
    });
    const jobs = new JobsModel({ standby: 'never' });
    const opened: string[] = [];
    const section = ReactWidget.create(
      <JobsSection
        model={jobs}
        trans={trans}
        onOpen={item => opened.push(`${item.Kind}/${item.JobName}`)}
      />
    );
    Widget.attach(section, document.body);
    jobs.active = true;
    await waitFor(() => section.node.querySelectorAll('li').length === 1);
    const row = section.node.querySelector('li')!;
    expect(text(row.querySelector('.jp-mlstudio-Row-kind'))).toBe('AutoML');
    expect(text(row.querySelector('.jp-mlstudio-Row-secondary'))).toBe(
      'Training models'
    );
    const kinds = Array.from(
      section.node.querySelectorAll('.jp-mlstudio-JobFilters-kind option')
    ).map(option => option.getAttribute('value'));
    expect(kinds).toContain('AutoMLJob');
    row.click();
    expect(opened).toEqual(['AutoMLJob/churn']);
    section.dispose();
    jobs.dispose();
  });
});
