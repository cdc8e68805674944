/**
 * The main-area view of one pipeline execution: status, Stop and Retry in the header,
 * the execution's failure reason, its parameters, the graph of its steps (live while
 * it runs) and, for the selected step, a side panel of its details. Opening a job
 * step opens its job view; other steps show their outputs in the panel.
 */
import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  closeIcon,
  ReactWidget,
  refreshIcon,
  stopIcon
} from '@jupyterlab/ui-components';
import React from 'react';

import { IPipelineExecution } from '../api/pipelines';
import { confirmAction } from '../components/confirmAction';
import { ErrorState } from '../components/ErrorState';
import { useNow } from '../components/useNow';
import { useSignals } from '../components/useSignals';
import { absoluteTime, duration, relativeTime } from '../format';
import { studioIcon } from '../icons';
import { PipelineExecutionModel } from '../models/pipelineExecution';
import {
  createdModel,
  IDefinitionParameter,
  IStepJob,
  IStepNode,
  NODE_STATUSES,
  registeredModel,
  stepJob
} from '../models/pipelineGraph';
import { MainAreaView } from './mainAreaView';
import { PipelineGraph, stepTypeLabel, nodeStatusLabel } from './pipelineGraph';
import { PipelineStatusBadge, pipelineStatusLabel } from './pipelines';
import { KeyValues } from './runView';
import { RefreshButton } from '../components/RefreshButton';

/** What the view opens: a step's job, tuning job or model group. */
export interface IPipelineViewActions {
  onOpenJob?: (
    kind: 'TrainingJob' | 'ProcessingJob' | 'TransformJob',
    name: string
  ) => void;
  onOpenTuningJob?: (name: string) => void;
  onOpenModelGroup?: (name: string) => void;
}

export interface IPipelineViewProps extends IPipelineViewActions {
  model: PipelineExecutionModel;
  trans: TranslationBundle;
}

/** Open a step's job in its view; false when it has none (yet) or nothing opens it. */
export function openStepJob(
  job: IStepJob | null,
  actions: IPipelineViewActions
): boolean {
  if (!job) {
    return false;
  }
  if (job.kind === 'TuningJob') {
    actions.onOpenTuningJob?.(job.name);
    return !!actions.onOpenTuningJob;
  }
  actions.onOpenJob?.(job.kind, job.name);
  return !!actions.onOpenJob;
}

/** Ask, then stop the execution; a refusal is shown in a dialog. */
export async function confirmStopExecution(
  model: PipelineExecutionModel,
  trans: TranslationBundle
): Promise<boolean> {
  return confirmAction({
    title: trans.__('Stop execution “%1”?', model.executionId),
    body: trans.__(
      'No more steps start, and the running step jobs are stopped. Retry runs the steps that did not succeed again.'
    ),
    cancelLabel: trans.__('Keep running'),
    acceptLabel: trans.__('Stop execution'),
    failedTitle: trans.__('Could not stop “%1”', model.executionId),
    run: () => model.stop()
  });
}

/** Retry the execution; a refusal is shown in a dialog. */
export async function retryExecution(
  model: PipelineExecutionModel,
  trans: TranslationBundle
): Promise<boolean> {
  try {
    await model.retry();
    return true;
  } catch (error) {
    await showErrorMessage(
      trans.__('Could not retry “%1”', model.executionId),
      error as Error
    );
    return false;
  }
}

export function PipelineView(props: IPipelineViewProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const now = useNow(model.live);
  const state = model.state;
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading pipeline execution…')}
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <ErrorState
        title={trans.__(
          'Could not load pipeline execution “%1”.',
          model.executionId
        )}
        message={state.message}
        retryLabel={trans.__('Retry')}
        onRetry={() => void model.refresh()}
      />
    );
  }
  const { execution, graph } = state;
  const selected = model.selectedNode;
  const open = (name: string) => {
    model.selected = name;
    const node = graph.nodes.find(item => item.name === name) ?? null;
    if (node) {
      openStepJob(stepJob(node), props);
    }
  };
  const actionOf = (node: IStepNode) => {
    const job = stepJob(node);
    return job
      ? trans.__('Opens job %1', job.name)
      : trans.__('Shows its details');
  };
  return (
    <div
      className="jp-mlstudio-View jp-mlstudio-PipelineView"
      data-execution={model.executionId}
      data-status={execution.PipelineExecutionStatus}
    >
      <Header {...props} execution={execution} now={now} />
      {model.refreshError ? (
        <p className="jp-mlstudio-TuningStale" role="status">
          {trans.__(
            'Could not refresh: %1. Showing what was read last.',
            model.refreshError
          )}
        </p>
      ) : null}
      {execution.FailureReason ? (
        <div className="jp-mlstudio-JobFailure" role="alert">
          <strong>{trans.__('Failure reason')}</strong>
          <pre>{execution.FailureReason}</pre>
        </div>
      ) : null}
      {graph.missing.length ? (
        <p className="jp-mlstudio-TuningStale" role="status">
          {trans.__(
            'Steps %1 of this execution are not in the definition it started with and are not drawn.',
            graph.missing.join(', ')
          )}
        </p>
      ) : null}
      <Legend trans={trans} />
      <div className="jp-mlstudio-PipelineBody">
        <section
          className="jp-mlstudio-PipelineCanvas"
          aria-label={trans.__('Steps')}
        >
          <PipelineGraph
            graph={graph}
            selected={model.selected}
            trans={trans}
            onOpen={open}
            actionOf={actionOf}
          />
        </section>
        {selected ? (
          <StepPanel
            {...props}
            node={selected}
            now={now}
            onClose={() => (model.selected = null)}
          />
        ) : null}
      </div>
      <section aria-label={trans.__('Parameters')}>
        <h2>{trans.__('Parameters')}</h2>
        <Parameters
          execution={execution}
          declared={model.parameters}
          trans={trans}
        />
      </section>
    </div>
  );
}

function Header(
  props: IPipelineViewProps & { execution: IPipelineExecution; now: Date }
): JSX.Element {
  const { model, trans, execution } = props;
  const status = execution.PipelineExecutionStatus;
  const [busy, setBusy] = React.useState(false);
  const took = duration(
    execution.CreationTime,
    model.live ? null : execution.LastModifiedTime,
    props.now
  );
  return (
    <header className="jp-mlstudio-View-header jp-mlstudio-JobHeader">
      <h1>{execution.PipelineExecutionDisplayName || model.executionId}</h1>
      <PipelineStatusBadge
        status={status}
        label={pipelineStatusLabel(status, trans)}
      />
      <span className="jp-mlstudio-JobHeader-detail">
        {trans.__('Pipeline %1', model.pipelineName)}
        {' · '}
        <time
          dateTime={execution.CreationTime}
          title={absoluteTime(execution.CreationTime)}
        >
          {trans.__('started %1', relativeTime(execution.CreationTime))}
        </time>
        {took ? ` · ${took}` : ''}
      </span>
      <span className="jp-mlstudio-JobHeader-spacer" />
      <RefreshButton
        label={trans.__('Refresh execution')}
        onRefresh={() => model.refresh()}
      />
      <button
        type="button"
        className={`jp-Button jp-mod-styled ${model.canRetry ? 'jp-mod-accept' : ''} jp-mlstudio-RetryExecution`}
        disabled={!model.canRetry || busy}
        title={
          model.canRetry
            ? trans.__('Run the steps that did not succeed again')
            : trans.__('Only a failed or stopped execution can be retried.')
        }
        onClick={async () => {
          setBusy(true);
          try {
            await retryExecution(model, trans);
          } finally {
            setBusy(false);
          }
        }}
      >
        <refreshIcon.react tag="span" elementSize="normal" />
        {trans.__('Retry')}
      </button>
      <button
        type="button"
        className={`jp-Button jp-mod-styled ${model.canStop ? 'jp-mod-warn' : ''} jp-mlstudio-StopJob jp-mlstudio-StopExecution`}
        disabled={!model.canStop}
        title={
          model.canStop
            ? trans.__('Stop this execution and its running step jobs')
            : trans.__('The execution is not running.')
        }
        onClick={() => void confirmStopExecution(model, trans)}
      >
        <stopIcon.react tag="span" elementSize="normal" />
        {trans.__('Stop')}
      </button>
    </header>
  );
}

function Legend(props: { trans: TranslationBundle }): JSX.Element {
  const { trans } = props;
  return (
    <ul
      className="jp-mlstudio-PipelineLegend"
      aria-label={trans.__('Step colours')}
    >
      {NODE_STATUSES.map(status => (
        <li key={status} data-status={status}>
          <span className="jp-mlstudio-PipelineNode-dot" aria-hidden="true" />
          {pipelineStatusLabel(status, trans)}
        </li>
      ))}
      <li data-cached="true">
        <span className="jp-mlstudio-PipelineNode-cached">
          {trans.__('cached')}
        </span>
        {trans.__('result from an earlier execution')}
      </li>
    </ul>
  );
}

/**
 * The execution's parameter values (the server answers the defaults too), each with
 * its type; "default" marks a value equal to the definition's default.
 */
function Parameters(props: {
  execution: IPipelineExecution;
  declared: IDefinitionParameter[];
  trans: TranslationBundle;
}): JSX.Element {
  const { execution, declared, trans } = props;
  const given = new Map(
    (execution.PipelineParameters ?? []).map(p => [p.Name, p.Value])
  );
  const rows: [string, React.ReactNode][] = [];
  for (const parameter of declared) {
    const value = given.has(parameter.Name)
      ? given.get(parameter.Name)
      : parameter.DefaultValue;
    const isDefault =
      'DefaultValue' in parameter &&
      formatValue(value) === formatValue(parameter.DefaultValue);
    rows.push([
      parameter.Name,
      <>
        <code>{formatValue(value)}</code>
        <span className="jp-mlstudio-PipelineParameter-type">
          {isDefault ? trans.__('%1, default', parameter.Type) : parameter.Type}
        </span>
      </>
    ]);
    given.delete(parameter.Name);
  }
  for (const [name, value] of given) {
    rows.push([name, <code key={name}>{formatValue(value)}</code>]);
  }
  return (
    <KeyValues
      values={rows}
      empty={trans.__('This pipeline takes no parameters.')}
    />
  );
}

const formatValue = (value: unknown): string =>
  value === undefined
    ? '—'
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

/** The selected step: its state, what it produced and how to open it. */
function StepPanel(
  props: IPipelineViewProps & {
    node: IStepNode;
    now: Date;
    onClose: () => void;
  }
): JSX.Element {
  const { node, trans } = props;
  const record = node.record;
  const job = stepJob(node);
  const registered = registeredModel(node);
  const model = createdModel(node);
  const took = record
    ? duration(record.StartTime, record.EndTime, props.now)
    : '';
  const rows: [string, React.ReactNode][] = [
    [trans.__('Type'), stepTypeLabel(node.type, trans)],
    [
      trans.__('Status'),
      <PipelineStatusBadge
        key="status"
        status={node.skipped ? 'NotStarted' : node.status}
        label={nodeStatusLabel(node, trans)}
      />
    ]
  ];
  if (record?.StartTime) {
    rows.push([trans.__('Started'), absoluteTime(record.StartTime)]);
  }
  if (took) {
    rows.push([trans.__('Duration'), took]);
  }
  if (record && (record.AttemptCount ?? 1) > 1) {
    rows.push([trans.__('Attempt'), String(record.AttemptCount)]);
  }
  if (node.parent) {
    rows.push([
      trans.__('Branch'),
      node.branch === 'IfSteps'
        ? trans.__('%1 is true', node.parent)
        : trans.__('%1 is false', node.parent)
    ]);
  }
  if (node.cachedFrom) {
    rows.push([trans.__('Cached from'), node.cachedFrom]);
  }
  if (node.outcome !== null) {
    rows.push([
      trans.__('Outcome'),
      node.outcome
        ? trans.__('true: the If steps run')
        : trans.__('false: the Else steps run')
    ]);
  }
  if (job) {
    rows.push([trans.__('Job'), job.name]);
  }
  if (model) {
    rows.push([trans.__('Model'), model]);
  }
  if (registered) {
    rows.push([
      trans.__('Model package'),
      trans.__('%1, version %2', registered.group, registered.version)
    ]);
  }
  const depends = node.step.DependsOn ?? [];
  if (depends.length) {
    rows.push([trans.__('Depends on'), depends.join(', ')]);
  }
  return (
    <aside
      className="jp-mlstudio-PipelineStep"
      aria-label={trans.__('Step %1', node.name)}
      data-step={node.name}
      onKeyDown={event => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          props.onClose();
        }
      }}
    >
      <header className="jp-mlstudio-PipelineStep-header">
        <h2>{node.name}</h2>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mlstudio-IconButton"
          aria-label={trans.__('Close the step details')}
          title={trans.__('Close')}
          onClick={props.onClose}
        >
          <closeIcon.react tag="span" elementSize="normal" />
        </button>
      </header>
      {node.failureReason ? (
        <div className="jp-mlstudio-JobFailure" role="alert">
          <strong>
            {node.type === 'Fail'
              ? trans.__('Error message')
              : trans.__('Failure reason')}
          </strong>
          <pre>{node.failureReason}</pre>
        </div>
      ) : null}
      <KeyValues values={rows} empty="" />
      <div className="jp-mlstudio-PipelineStep-actions">
        {job ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={() => openStepJob(job, props)}
          >
            {job.kind === 'TuningJob'
              ? trans.__('Open tuning job')
              : trans.__('Open job')}
          </button>
        ) : null}
        {registered && props.onOpenModelGroup ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={() => props.onOpenModelGroup?.(registered.group)}
          >
            {trans.__('Open model group')}
          </button>
        ) : null}
      </div>
      {!record ? (
        <p className="jp-mlstudio-Muted">
          {node.skipped
            ? trans.__('Its condition took the other branch: it does not run.')
            : trans.__('This step has not started.')}
        </p>
      ) : null}
      <details className="jp-mlstudio-PipelineStep-definition">
        <summary>{trans.__('Definition')}</summary>
        <pre>{JSON.stringify(node.step, null, 2)}</pre>
      </details>
    </aside>
  );
}

/** The main-area widget of a pipeline execution; one per execution. */
export class PipelineExecutionWidget extends MainAreaView<PipelineExecutionModel> {
  constructor(
    model: PipelineExecutionModel,
    trans: TranslationBundle,
    actions: IPipelineViewActions = {}
  ) {
    super(
      model,
      ReactWidget.create(
        <PipelineView model={model} trans={trans} {...actions} />
      )
    );
    this.id = `mlstudio-pipeline-execution-${model.executionId}`;
    this.title.label = `${model.pipelineName} · ${model.executionId}`;
    this.title.caption = trans.__(
      'Execution %1 of pipeline %2',
      model.executionId,
      model.pipelineName
    );
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-PipelineExecutionWidget');
  }
}
