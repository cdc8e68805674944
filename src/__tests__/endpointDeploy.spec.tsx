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
import { JobView } from '../widgets/jobView';
import { endpointSummary } from './endpointFixtures';
import { job, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element) => node.textContent ?? '';

const MODEL = 'file:///studio/jobs/churn-train/output/model.tar.gz';
const completed: IJob = job('churn-train', {
  Status: 'Completed',
  SecondaryStatus: 'Completed',
  EndTime: '2026-01-01T00:01:00Z',
  ExitCode: 0,
  Spec: {
    ScriptMode: { EntryPoint: '/work/project/train.py' },
    ResourceConfig: { InstanceType: 'local', InstanceCount: 1 }
  },
  Outputs: { ModelArtifacts: { S3ModelArtifacts: MODEL } }
});

async function dialog(): Promise<HTMLElement> {
  await waitFor(() => !!document.querySelector('.jp-Dialog'));
  return document.querySelector('.jp-Dialog') as HTMLElement;
}

function button(root: Element, label: string): HTMLButtonElement {
  const found = Array.from(root.querySelectorAll('button')).find(
    b => b.textContent?.trim() === label
  );
  if (!found) {
    throw new Error(`No button ${label}`);
  }
  return found;
}

describe('Deploy from the job view', () => {
  let widget: Widget | null = null;
  let model: JobModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
    document.querySelectorAll('.jp-Dialog').forEach(node => node.remove());
  });

  function show(shown: IJob, onOpenEndpoint?: (name: string) => void) {
    model = new JobModel('TrainingJob', shown.JobName, { standby: 'never' });
    widget = ReactWidget.create(
      <JobView model={model} trans={trans} onOpenEndpoint={onOpenEndpoint} />
    );
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  it('is offered for a completed training job with a model only', async () => {
    mockApi({
      'GET training-jobs/churn-train': { ...completed, Status: 'InProgress' },
      'GET training-jobs/churn-train/logs': {
        Text: '',
        NextOffset: 0,
        Complete: false
      }
    });
    const node = show(completed);
    await waitFor(() => text(node).includes('Configuration'));
    expect(node.querySelector('.jp-mlstudio-DeployJob')).toBeNull();
  });

  it('asks for the endpoint, creates model, configuration and endpoint, opens it', async () => {
    const bodies: Record<string, unknown> = {};
    mockApi({
      'GET training-jobs/churn-train': completed,
      'GET training-jobs/churn-train/logs': {
        Text: 'done\n',
        NextOffset: 5,
        Complete: true
      },
      'POST models': {},
      'POST endpoint-configs': {},
      'POST endpoints': endpointSummary('churn-live', 'Creating')
    });
    const original = mockedRequestAPI.getMockImplementation()!;
    mockedRequestAPI.mockImplementation(async (path, init, query) => {
      if (init?.method === 'POST') {
        bodies[path] = JSON.parse(String(init.body));
      }
      return original(path, init, query);
    });
    const opened: string[] = [];
    const node = show(completed, name => opened.push(name));
    await waitFor(() => !!node.querySelector('.jp-mlstudio-DeployJob'));
    (node.querySelector('.jp-mlstudio-DeployJob') as HTMLElement).click();

    // A refused name: the dialog comes back and says why.
    let box = await dialog();
    expect(text(box)).toContain('Deploy the model of “churn-train”');
    expect(text(box)).toContain(MODEL);
    expect(text(box)).toContain('/work/project/train.py');
    const name = box.querySelector(
      'input[name="endpointName"]'
    ) as HTMLInputElement;
    expect(name.value).toBe('churn-train-endpoint');
    name.value = 'churn_live';
    button(box, 'Deploy').click();
    await waitFor(() => text(document.body).includes('Use letters, digits'));
    box = await dialog();
    expect(
      (box.querySelector('input[name="endpointName"]') as HTMLInputElement)
        .value
    ).toBe('churn_live');

    (
      box.querySelector('input[name="endpointName"]') as HTMLInputElement
    ).value = 'churn-live';
    (
      box.querySelector('input[name="instanceCount"]') as HTMLInputElement
    ).value = '2';
    (
      box.querySelector('input[name="captureData"]') as HTMLInputElement
    ).click();
    button(box, 'Deploy').click();
    await waitFor(() => opened.length === 1);
    expect(opened).toEqual(['churn-live']);

    const model = bodies['models'] as {
      ModelName: string;
      PrimaryContainer: unknown;
    };
    expect(model.ModelName).toMatch(/^churn-live-\d{8}-\d{6}$/);
    expect(model.PrimaryContainer).toEqual({
      ModelDataUrl: MODEL,
      Environment: {
        SAGEMAKER_PROGRAM: 'train.py',
        SAGEMAKER_SUBMIT_DIRECTORY: '/work/project'
      }
    });
    expect(bodies['endpoint-configs']).toEqual({
      EndpointConfigName: model.ModelName,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: model.ModelName,
          InitialInstanceCount: 2,
          InstanceType: 'local',
          InitialVariantWeight: 1
        }
      ]
    });
    expect(bodies['endpoints']).toEqual({
      EndpointName: 'churn-live',
      EndpointConfigName: model.ModelName
    });
  });
});
