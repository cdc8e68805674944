/**
 * The Pipelines section: pipelines, newest first; each expands to its executions
 * with their status, start time and failure reason, live while one runs; an
 * execution opens in the pipeline execution view.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import React from 'react';

import {
  executionId,
  IPipelineExecutionSummary,
  IPipelineSummary
} from '../api/pipelines';
import { EmptyState } from '../components/EmptyState';
import { StatusTone } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { absoluteTime, relativeTime } from '../format';
import { PipelineExecutionsModel, PipelinesModel } from '../models/pipelines';
import { SectionView, SectionWidget } from './section';

/** What the sidebar does when a pipeline execution is opened. */
export interface IPipelineActions {
  openPipelineExecution(pipelineName: string, executionId: string): void;
}

const TONES: Record<string, StatusTone> = {
  Succeeded: 'success',
  Executing: 'progress',
  Starting: 'progress',
  Stopping: 'warning',
  Stopped: 'neutral',
  Failed: 'error',
  NotStarted: 'neutral'
};

/**
 * A status pill of a pipeline execution or step (Executing, Succeeded, Failed,
 * Stopping, Stopped, Starting), in the studio's badge style.
 */
export function PipelineStatusBadge(props: {
  status: string;
  label: string;
}): JSX.Element {
  return (
    <span
      className={`jp-mlstudio-StatusBadge jp-mlstudio-mod-${TONES[props.status] ?? 'neutral'}`}
      data-status={props.status}
      title={props.label}
    >
      <span className="jp-mlstudio-StatusBadge-dot" aria-hidden="true" />
      {props.label}
    </span>
  );
}

/** A status in words (translated). */
export function pipelineStatusLabel(
  status: string,
  trans: TranslationBundle
): string {
  switch (status) {
    case 'Executing':
      return trans.__('Executing');
    case 'Succeeded':
      return trans.__('Succeeded');
    case 'Failed':
      return trans.__('Failed');
    case 'Stopping':
      return trans.__('Stopping');
    case 'Stopped':
      return trans.__('Stopped');
    case 'Starting':
      return trans.__('Starting');
    case 'NotStarted':
      return trans.__('Not started');
    default:
      return status;
  }
}

export interface IPipelinesSectionProps {
  model: PipelinesModel;
  trans: TranslationBundle;
  actions?: IPipelineActions;
}

/** Pipelines, each expanding to its executions. */
export function PipelinesSection(props: IPipelinesSectionProps): JSX.Element {
  const { model, trans, actions } = props;
  useSignals(model.expandedChanged);
  return (
    <SectionView<IPipelineSummary>
      model={model}
      trans={trans}
      texts={{
        noun: trans.__('pipelines'),
        emptyTitle: trans.__('No pipelines yet'),
        emptyBody: trans.__(
          'Create one with Pipeline(...).upsert(), then start() it: its executions appear here.'
        )
      }}
      summary={items => trans._n('%1 pipeline', '%1 pipelines', items.length)}
      itemKey={item => item.PipelineName}
      itemLabel={item =>
        trans.__(
          '%1, pipeline, created %2',
          item.PipelineDisplayName || item.PipelineName,
          relativeTime(item.CreationTime)
        )
      }
      renderItem={item => {
        const expanded = model.isExpanded(item.PipelineName);
        const executions = model.executions(item.PipelineName);
        const Caret = expanded ? caretDownIcon : caretRightIcon;
        const toggle = () => model.setExpanded(item.PipelineName, !expanded);
        return (
          <div data-pipeline={item.PipelineName}>
            <div className="jp-mlstudio-Row-main">
              <button
                type="button"
                className="jp-Button jp-mod-minimal jp-mlstudio-Expand"
                aria-expanded={expanded}
                aria-label={trans.__(
                  'Show executions of %1',
                  item.PipelineName
                )}
                title={
                  expanded
                    ? trans.__('Hide executions')
                    : trans.__('Show executions')
                }
                onClick={toggle}
              >
                <Caret.react tag="span" elementSize="normal" />
              </button>
              <span
                className="jp-mlstudio-Row-name jp-mlstudio-Row-toggle"
                title={item.PipelineDescription || item.PipelineName}
                onClick={toggle}
              >
                {item.PipelineDisplayName || item.PipelineName}
              </span>
            </div>
            <div className="jp-mlstudio-Row-detail">
              <time
                dateTime={item.CreationTime}
                title={absoluteTime(item.CreationTime)}
              >
                {trans.__('created %1', relativeTime(item.CreationTime))}
              </time>
            </div>
            {executions ? (
              <ExecutionsPanel
                model={executions}
                trans={trans}
                onOpen={id =>
                  actions?.openPipelineExecution(item.PipelineName, id)
                }
              />
            ) : null}
          </div>
        );
      }}
    />
  );
}

/** The executions of an expanded pipeline. */
function ExecutionsPanel(props: {
  model: PipelineExecutionsModel;
  trans: TranslationBundle;
  onOpen: (id: string) => void;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const state = model.state;
  let body: React.ReactNode;
  if (state.kind === 'loading') {
    body = (
      <p className="jp-mlstudio-Muted" role="status" aria-busy="true">
        {trans.__('Loading executions…')}
      </p>
    );
  } else if (state.kind === 'error' || state.kind === 'missing-extension') {
    body = (
      <p className="jp-mlstudio-Runs-error" role="alert">
        {trans.__('Could not load the executions: %1', state.message)}
      </p>
    );
  } else if (state.items.length === 0) {
    body = (
      <EmptyState title={trans.__('No executions yet')}>
        {trans.__('Start one with the pipeline’s start().')}
      </EmptyState>
    );
  } else {
    body = (
      <ul
        className="jp-mlstudio-PipelineExecutions"
        aria-label={trans.__('Executions of %1', model.pipelineName)}
      >
        {state.items.map(execution => (
          <ExecutionRow
            key={execution.PipelineExecutionArn}
            execution={execution}
            trans={trans}
            onOpen={props.onOpen}
          />
        ))}
      </ul>
    );
  }
  return (
    <div
      className="jp-mlstudio-PipelineExecutionsPanel"
      data-pipeline-executions={model.pipelineName}
    >
      {body}
    </div>
  );
}

function ExecutionRow(props: {
  execution: IPipelineExecutionSummary;
  trans: TranslationBundle;
  onOpen: (id: string) => void;
}): JSX.Element {
  const { execution, trans } = props;
  const id = executionId(execution.PipelineExecutionArn);
  const status = execution.PipelineExecutionStatus;
  const label = pipelineStatusLabel(status, trans);
  const name = execution.PipelineExecutionDisplayName || id;
  return (
    <li data-execution={id} data-status={status}>
      <button
        type="button"
        className="jp-mlstudio-PipelineExecution"
        aria-label={trans.__(
          'Open execution %1, %2, started %3',
          name,
          label,
          relativeTime(execution.StartTime)
        )}
        onClick={event => {
          event.stopPropagation();
          props.onOpen(id);
        }}
      >
        <span className="jp-mlstudio-PipelineExecution-main">
          <span className="jp-mlstudio-PipelineExecution-name" title={id}>
            {name}
          </span>
          <PipelineStatusBadge status={status} label={label} />
        </span>
        <time
          className="jp-mlstudio-PipelineExecution-time"
          dateTime={execution.StartTime}
          title={absoluteTime(execution.StartTime)}
        >
          {trans.__('started %1', relativeTime(execution.StartTime))}
        </time>
        {execution.PipelineExecutionFailureReason ? (
          <span
            className="jp-mlstudio-Row-failure"
            title={execution.PipelineExecutionFailureReason}
          >
            {execution.PipelineExecutionFailureReason}
          </span>
        ) : null}
      </button>
    </li>
  );
}

export function createPipelinesWidget(
  model: PipelinesModel,
  trans: TranslationBundle,
  actions?: IPipelineActions
): SectionWidget {
  return new SectionWidget(
    () => <PipelinesSection model={model} trans={trans} actions={actions} />,
    { id: 'mlstudio-pipelines', label: trans.__('Pipelines') }
  );
}
