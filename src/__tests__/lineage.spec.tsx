jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import type { ILineage, ILineageEntity } from '../api/lineage';
import { StudioApiError } from '../api/request';
import { Lineage } from '../components/Lineage';
import {
  ILineageActions,
  LineageModel,
  openerOf,
  setLineageActions
} from '../models/lineage';
import { mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const ARN = 'arn:mlstudio:sagemaker:local';
const EXECUTION = `${ARN}:pipeline/ship/execution/abc123`;

function entity(
  type: ILineageEntity['Type'],
  name: string,
  depth: number,
  extra: Partial<ILineageEntity> = {}
): ILineageEntity {
  const arn = type === 'Artifact' ? null : `${ARN}:${type}/${name}`;
  return {
    Id: arn ?? name,
    Type: type,
    Name: name,
    Arn: arn,
    Status: null,
    Uri: null,
    Details: null,
    Depth: depth,
    ...extra
  };
}

const ENDPOINT = entity('Endpoint', 'churn-ep', 0, { Status: 'InService' });
const CONFIG = entity('EndpointConfig', 'churn-config', 1);
const VERSION = entity('ModelPackage', 'churn/3', 2, { Status: 'Approved' });
const DATA = entity('Artifact', 'file:///studio/jobs/train/model.tar.gz', 3, {
  Uri: 'file:///studio/jobs/train/model.tar.gz'
});
const TRAIN = entity('TrainingJob', 'train', 4, { Status: 'Completed' });
const STEP = entity('PipelineStep', 'Train', 5, {
  Id: `${EXECUTION}/step/Train`,
  Arn: null,
  Status: 'Succeeded',
  Details: { PipelineExecutionArn: EXECUTION, PipelineName: 'Ship' }
});
const RUN = entity('Run', 'train-aws-training-job', 5, { Status: 'Completed' });
const GONE = entity('Model', 'old-model', 2, { Details: { Deleted: 'true' } });

const LINEAGE: ILineage = {
  Entities: [ENDPOINT, CONFIG, GONE, VERSION, DATA, TRAIN, STEP, RUN],
  Edges: [
    {
      Source: CONFIG.Id,
      Destination: ENDPOINT.Id,
      AssociationType: 'ContributedTo'
    },
    { Source: TRAIN.Id, Destination: DATA.Id, AssociationType: 'Produced' },
    {
      Source: DATA.Id,
      Destination: VERSION.Id,
      AssociationType: 'ContributedTo'
    }
  ],
  Truncated: false
};

describe('Lineage', () => {
  let widget: Widget | null = null;
  let model: LineageModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
    setLineageActions(null);
  });

  function show(actions?: ILineageActions | null): HTMLElement {
    model = new LineageModel({ EndpointName: 'churn-ep' });
    widget = ReactWidget.create(
      <Lineage model={model} trans={trans} actions={actions} />
    );
    Widget.attach(widget, document.body);
    return widget.node;
  }

  const items = (node: HTMLElement) =>
    Array.from(node.querySelectorAll('.jp-mlstudio-Lineage-item'));

  it('lists the entities in order with type, name, status and relation', async () => {
    mockApi({ 'GET lineage': LINEAGE });
    const node = show(null);
    await waitFor(() => items(node).length === 8);
    expect(mockedRequestAPI).toHaveBeenCalledWith(
      'lineage',
      {},
      { EndpointName: 'churn-ep' }
    );
    const rows = items(node);
    expect(rows.map(r => r.getAttribute('data-type'))).toEqual([
      'Endpoint',
      'EndpointConfig',
      'Model',
      'ModelPackage',
      'Artifact',
      'TrainingJob',
      'PipelineStep',
      'Run'
    ]);
    expect(rows[0].textContent).toContain('churn-ep');
    expect(
      rows[0]
        .querySelector('.jp-mlstudio-StatusBadge')
        ?.getAttribute('data-status')
    ).toBe('InService');
    expect(rows[1].textContent).toContain('used by endpoint churn-ep');
    expect(rows[5].textContent).toContain('produced artifact model.tar.gz');
    expect(rows[4].querySelector('code')?.getAttribute('title')).toBe(DATA.Uri);
    expect(rows[2].textContent).toContain('deleted');
    expect(rows[5].getAttribute('data-depth')).toBe('4');
    // without actions, nothing is a link
    expect(node.querySelectorAll('button.jp-mlstudio-Link')).toHaveLength(0);
  });

  it('opens the views of the entities that have one', async () => {
    mockApi({ 'GET lineage': LINEAGE });
    const actions = {
      openEndpoint: jest.fn(),
      openJob: jest.fn(),
      openModelGroup: jest.fn(),
      openRun: jest.fn(),
      openPipelineExecution: jest.fn()
    };
    setLineageActions(actions); // the default when a list is given none
    const node = show();
    await waitFor(() => items(node).length === 8);
    const links = Array.from(
      node.querySelectorAll<HTMLButtonElement>('button.jp-mlstudio-Link')
    );
    // the config, the deleted model and the artifact open nothing
    expect(links.map(l => l.textContent)).toEqual([
      'churn-ep',
      'churn/3',
      'train',
      'Train',
      'train-aws-training-job'
    ]);
    links.forEach(link => link.click());
    expect(actions.openEndpoint).toHaveBeenCalledWith('churn-ep');
    expect(actions.openModelGroup).toHaveBeenCalledWith('churn');
    expect(actions.openJob).toHaveBeenCalledWith('TrainingJob', 'train');
    expect(actions.openPipelineExecution).toHaveBeenCalledWith(
      'Ship',
      'abc123'
    );
    expect(actions.openRun).toHaveBeenCalledWith('train-aws-training-job');
  });

  it('says when nothing is known, and reads again on refresh', async () => {
    let answer: ILineage = {
      Entities: [ENDPOINT],
      Edges: [],
      Truncated: false
    };
    mockApi({ 'GET lineage': () => answer });
    const node = show(null);
    await waitFor(() => !!node.querySelector('.jp-mlstudio-EmptyState'));
    expect(node.textContent).toContain(
      'Nothing is known about what produced it.'
    );
    answer = LINEAGE;
    node
      .querySelector<HTMLButtonElement>('.jp-mlstudio-Lineage-refresh')!
      .click();
    await waitFor(() => items(node).length === 8);
    expect(node.querySelector('.jp-mlstudio-EmptyState')).toBeNull();
  });

  it('shows the error and retries', async () => {
    mockApi({
      'GET lineage': new StudioApiError(
        404,
        'ResourceNotFound',
        'Could not find endpoint',
        'EndpointName'
      )
    });
    const node = show(null);
    await waitFor(() => !!node.querySelector('.jp-mlstudio-ErrorState'));
    expect(node.textContent).toContain('Could not find endpoint');
    expect(model!.state).toMatchObject({ kind: 'error', gone: true });
    mockApi({ 'GET lineage': LINEAGE });
    node.querySelector<HTMLButtonElement>('.jp-mlstudio-RetryButton')!.click();
    await waitFor(() => items(node).length === 8);
  });

  it('keeps only the newest answer', async () => {
    const answers: ((value: ILineage) => void)[] = [];
    const read = jest.fn(
      () => new Promise<ILineage>(resolve => answers.push(resolve))
    );
    const lineage = new LineageModel({ ModelName: 'm' }, read);
    const first = lineage.load();
    const second = lineage.load();
    answers[1](LINEAGE);
    answers[0]({ Entities: [], Edges: [], Truncated: false });
    await Promise.all([first, second]);
    expect(lineage.state).toEqual({ kind: 'ready', lineage: LINEAGE });
    lineage.dispose();
  });
});

describe('openerOf', () => {
  it('opens nothing without the action, for a version without a group or a step without a pipeline', () => {
    expect(openerOf(TRAIN, {})).toBeNull();
    expect(openerOf(TRAIN, null)).toBeNull();
    const noPipeline = {
      ...STEP,
      Details: { PipelineExecutionArn: EXECUTION }
    };
    expect(
      openerOf(noPipeline, { openPipelineExecution: jest.fn() })
    ).toBeNull();
    const tuning = entity('HyperParameterTuningJob', 'tune', 1);
    const openTuningJob = jest.fn();
    openerOf(tuning, { openTuningJob })!();
    expect(openTuningJob).toHaveBeenCalledWith('tune');
  });
});
