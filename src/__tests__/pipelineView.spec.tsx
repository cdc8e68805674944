jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));
jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showDialog: jest.fn(),
  showErrorMessage: jest.fn(async () => undefined)
}));

import { showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { StudioApiError } from '../api/request';
import { PipelineExecutionModel } from '../models/pipelineExecution';
import { PipelinesModel } from '../models/pipelines';
import { PipelineView } from '../widgets/pipelineView';
import { PipelinesSection } from '../widgets/pipelines';
import {
  definition,
  execution,
  EXECUTION,
  executionSummary,
  failedSteps,
  pipeline,
  step
} from './pipelineFixtures';
import { Answer, mockApi, mockedRequestAPI, waitFor } from './utils';

// React Flow measures its canvas and nodes; jsdom has no ResizeObserver.
class NoResizeObserver {
  observe(): void {
    /* nothing to measure */
  }
  unobserve(): void {
    /* nothing to measure */
  }
  disconnect(): void {
    /* nothing to measure */
  }
}
(globalThis as any).ResizeObserver ??= NoResizeObserver;

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element | null) => node?.textContent ?? '';
const mockedShowDialog = showDialog as jest.MockedFunction<typeof showDialog>;

const STEPS = `pipeline-executions/${EXECUTION}/steps`;

/** The routes of execution EXECUTION of pipeline churn. */
function executionApi(
  status: string,
  steps: Answer,
  extra: Record<string, Answer> = {}
): Record<string, Answer> {
  return {
    [`GET pipeline-executions/${EXECUTION}`]: execution(status, {
      FailureReason:
        status === 'Failed' ? 'Step TooLow failed: accuracy too low' : null
    }),
    [`GET ${STEPS}`]: steps,
    [`GET pipeline-executions/${EXECUTION}/definition`]: {
      PipelineDefinition: definition(),
      CreationTime: '2026-12-06T10:00:00+00:00'
    },
    ...extra
  };
}

describe('PipelinesSection', () => {
  let widget: Widget | null = null;
  let model: PipelinesModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(opened: string[] = []) {
    model = new PipelinesModel({ standby: 'never' });
    widget = ReactWidget.create(
      <PipelinesSection
        model={model}
        trans={trans}
        actions={{
          openPipelineExecution: (name, id) => opened.push(`${name}/${id}`)
        }}
      />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    return widget.node;
  }

  it('says how pipelines get there when there are none', async () => {
    mockApi({ 'GET pipelines': { PipelineSummaries: [], NextToken: null } });
    const node = show();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-EmptyState'));
    expect(text(node)).toContain('No pipelines yet');
    expect(text(node)).toContain('Pipeline(...).upsert()');
  });

  it('lists pipelines newest first; one expands to its executions, which open', async () => {
    const older = { ...pipeline('older'), CreationTime: '2025-01-01T00:00Z' };
    mockApi({
      'GET pipelines': {
        PipelineSummaries: [older, pipeline('churn')],
        NextToken: null
      },
      'GET pipelines/churn/executions': {
        PipelineExecutionSummaries: [
          executionSummary('first', 'Failed', {
            StartTime: '2026-01-01T00:00:00Z',
            PipelineExecutionFailureReason: 'Step TooLow failed'
          }),
          executionSummary('second', 'Executing')
        ],
        NextToken: null
      }
    });
    const opened: string[] = [];
    const node = show(opened);
    await waitFor(() => node.querySelectorAll('[data-pipeline]').length === 2);
    const names = Array.from(node.querySelectorAll('[data-pipeline]')).map(
      row => row.getAttribute('data-pipeline')
    );
    expect(names).toEqual(['churn', 'older']);
    expect(text(node)).toContain('2 pipelines');

    const expand = node.querySelector<HTMLButtonElement>(
      '[data-pipeline="churn"] .jp-mlstudio-Expand'
    )!;
    expect(expand.getAttribute('aria-expanded')).toBe('false');
    expand.click();
    await waitFor(() => node.querySelectorAll('[data-execution]').length === 2);
    const rows = Array.from(node.querySelectorAll('[data-execution]'));
    expect(rows.map(row => row.getAttribute('data-execution'))).toEqual([
      'second',
      'first'
    ]);
    expect(text(rows[0])).toContain('Executing');
    expect(text(rows[1])).toContain('Failed');
    expect(text(rows[1])).toContain('Step TooLow failed');
    expect(model!.executions('churn')!.live).toBe(true);
    rows[1].querySelector('button')!.click();
    expect(opened).toEqual(['churn/first']);
  });
});

describe('PipelineView', () => {
  let widget: Widget | null = null;
  let model: PipelineExecutionModel | null = null;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    mockedShowDialog.mockReset();
    (showErrorMessage as jest.Mock).mockClear();
  });
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(
    props: Partial<React.ComponentProps<typeof PipelineView>> = {}
  ) {
    model = new PipelineExecutionModel('churn', EXECUTION, {
      standby: 'never',
      interval: 0.02
    });
    widget = ReactWidget.create(
      <PipelineView model={model} trans={trans} {...props} />
    );
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  const nodeOf = (node: HTMLElement, name: string) =>
    node.querySelector<HTMLButtonElement>(
      `.jp-mlstudio-PipelineNode[data-step="${name}"]`
    );

  it('draws a failed execution: header, reason, parameters, coloured and cached steps', async () => {
    mockApi(executionApi('Failed', { PipelineExecutionSteps: failedSteps() }));
    const node = show();
    await waitFor(() => !!nodeOf(node, 'TooLow'));
    expect(text(node.querySelector('h1'))).toBe(EXECUTION);
    const header = node.querySelector('header')!;
    expect(text(header)).toContain('Failed');
    expect(text(header)).toContain('Pipeline churn');
    expect(text(node.querySelector('[role="alert"]'))).toContain(
      'Step TooLow failed: accuracy too low'
    );
    const status = (name: string) =>
      nodeOf(node, name)!.getAttribute('data-status');
    expect(status('Prepare')).toBe('Succeeded');
    expect(status('TooLow')).toBe('Failed');
    expect(status('Register')).toBe('Skipped');
    expect(nodeOf(node, 'Prepare')!.getAttribute('data-cached')).toBe('true');
    expect(text(nodeOf(node, 'Prepare'))).toContain('cached');
    expect(nodeOf(node, 'Train')!.getAttribute('data-cached')).toBeNull();
    expect(text(nodeOf(node, 'TooLow'))).toContain('accuracy too low');
    expect(text(nodeOf(node, 'Check'))).toContain('Outcome: false');
    expect(nodeOf(node, 'Train')!.getAttribute('aria-label')).toContain(
      'Opens job pipelines-train'
    );

    const parameters = node.querySelector('section[aria-label="Parameters"]')!;
    expect(text(parameters)).toContain('Threshold0.8Float');
    expect(text(parameters)).toContain('Epochs2Integer, default');

    const retry = node.querySelector<HTMLButtonElement>(
      '.jp-mlstudio-RetryExecution'
    )!;
    const stop = node.querySelector<HTMLButtonElement>(
      '.jp-mlstudio-StopExecution'
    )!;
    expect(retry.disabled).toBe(false);
    expect(stop.disabled).toBe(true);
  });

  it('opens a job step’s job, and shows the details of the others', async () => {
    mockApi(executionApi('Failed', { PipelineExecutionSteps: failedSteps() }));
    const jobs: string[] = [];
    const node = show({
      onOpenJob: (kind, name) => jobs.push(`${kind}/${name}`)
    });
    await waitFor(() => !!nodeOf(node, 'Train'));
    nodeOf(node, 'Train')!.click();
    expect(jobs).toEqual(['TrainingJob/pipelines-train']);

    nodeOf(node, 'Check')!.click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-PipelineStep'));
    const panel = node.querySelector('.jp-mlstudio-PipelineStep')!;
    expect(panel.getAttribute('data-step')).toBe('Check');
    expect(text(panel)).toContain('false: the Else steps run');
    expect(nodeOf(node, 'Check')!.getAttribute('aria-pressed')).toBe('true');
    expect(jobs).toHaveLength(1);

    nodeOf(node, 'TooLow')!.click();
    await waitFor(() => text(node.querySelector('aside h2')) === 'TooLow');
    expect(text(node.querySelector('aside [role="alert"]'))).toContain(
      'accuracy too low'
    );
    node.querySelector<HTMLButtonElement>('aside header button')!.click();
    await waitFor(() => !node.querySelector('.jp-mlstudio-PipelineStep'));

    // Escape closes the panel too.
    nodeOf(node, 'Check')!.click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-PipelineStep'));
    node
      .querySelector('aside header button')!
      .dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })
      );
    await waitFor(() => !node.querySelector('.jp-mlstudio-PipelineStep'));
  });

  it('follows a running execution until its steps succeeded, then stops polling', async () => {
    // Each poll reads the execution, then its steps: the third sees them done.
    let reads = 0;
    const running = [step('Prepare', 'Executing')];
    const done = ['Prepare', 'Train', 'Evaluate', 'Check', 'Register'].map(
      name => step(name, 'Succeeded')
    );
    mockApi({
      ...executionApi('Executing', () => ({
        PipelineExecutionSteps: reads < 3 ? running : done
      })),
      [`GET pipeline-executions/${EXECUTION}`]: () => {
        reads += 1;
        return execution(reads < 3 ? 'Executing' : 'Succeeded');
      }
    });
    const node = show();
    await waitFor(
      () => nodeOf(node, 'Prepare')?.getAttribute('data-status') === 'Executing'
    );
    expect(model!.live).toBe(true);
    expect(
      node.querySelector<HTMLButtonElement>('.jp-mlstudio-StopExecution')!
        .disabled
    ).toBe(false);
    await waitFor(
      () =>
        nodeOf(node, 'Register')?.getAttribute('data-status') === 'Succeeded'
    );
    expect(nodeOf(node, 'TooLow')!.getAttribute('data-status')).toBe(
      'NotStarted'
    );
    expect(model!.live).toBe(false);
    const settled = reads;
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(reads).toBe(settled);
    // The definition is read once.
    const definitionReads = mockedRequestAPI.mock.calls.filter(
      ([path]) => path === `pipeline-executions/${EXECUTION}/definition`
    );
    expect(definitionReads).toHaveLength(1);
  });

  it('stops after asking, and retries a failed execution', async () => {
    let status = 'Executing';
    const posted: string[] = [];
    mockApi(
      executionApi(
        'Executing',
        { PipelineExecutionSteps: [step('Prepare', 'Executing')] },
        {
          [`GET pipeline-executions/${EXECUTION}`]: () => execution(status),
          [`POST pipeline-executions/${EXECUTION}/stop`]: () => {
            posted.push('stop');
            status = 'Stopped';
            return execution(status);
          },
          [`POST pipeline-executions/${EXECUTION}/retry`]: () => {
            posted.push('retry');
            status = 'Executing';
            return { PipelineExecutionArn: 'x' };
          }
        }
      )
    );
    mockedShowDialog.mockResolvedValue({
      button: { accept: true },
      isChecked: null,
      value: null
    } as any);
    const node = show();
    const button = (name: string) =>
      node.querySelector<HTMLButtonElement>(`.jp-mlstudio-${name}Execution`)!;
    await waitFor(() => !!button('Stop') && !button('Stop').disabled);
    expect(button('Retry').disabled).toBe(true);
    button('Stop').click();
    await waitFor(() => !button('Retry').disabled);
    expect(mockedShowDialog).toHaveBeenCalledTimes(1);
    button('Retry').click();
    await waitFor(() => posted.length === 2 && !button('Stop').disabled);
    expect(posted).toEqual(['stop', 'retry']);
  });

  it('says why a retry was refused', async () => {
    mockApi(
      executionApi(
        'Failed',
        { PipelineExecutionSteps: failedSteps() },
        {
          [`POST pipeline-executions/${EXECUTION}/retry`]: new StudioApiError(
            409,
            'Conflict',
            'only a Failed or Stopped execution can be retried'
          )
        }
      )
    );
    const node = show();
    await waitFor(() => !!nodeOf(node, 'TooLow'));
    node
      .querySelector<HTMLButtonElement>('.jp-mlstudio-RetryExecution')!
      .click();
    await waitFor(() => (showErrorMessage as jest.Mock).mock.calls.length > 0);
    expect((showErrorMessage as jest.Mock).mock.calls[0][0]).toContain(
      'Could not retry'
    );
  });

  it('says which steps of the execution its definition does not draw', async () => {
    mockApi(
      executionApi('Failed', {
        PipelineExecutionSteps: [...failedSteps(), step('Gone', 'Failed')]
      })
    );
    const node = show();
    await waitFor(() => !!nodeOf(node, 'TooLow'));
    expect(text(node)).toContain(
      'Steps Gone of this execution are not in the definition it started with'
    );
    expect(nodeOf(node, 'Gone')).toBeNull();
  });

  it('shows why the execution could not be read', async () => {
    mockApi({
      [`GET pipeline-executions/${EXECUTION}`]: new StudioApiError(
        404,
        'NotFound',
        'no such execution'
      ),
      [`GET ${STEPS}`]: { PipelineExecutionSteps: [] },
      [`GET pipeline-executions/${EXECUTION}/definition`]: {
        PipelineDefinition: definition(),
        CreationTime: '2026-12-06T10:00:00+00:00'
      }
    });
    const node = show();
    await waitFor(() => text(node).includes('no such execution'));
    expect(text(node)).toContain('Could not load pipeline execution');
  });
});
