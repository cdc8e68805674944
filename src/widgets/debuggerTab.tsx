/**
 * The Debugger tab of a training job's view: its rules with what each found, when and
 * why, and a link to the processing job that evaluates it; and a tensor browser — the
 * tensors the hook saved, by collection, and a chart over steps of each one chosen.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { TensorMode } from '../api/debugger';
import { IJob } from '../api/types';
import { EmptyState } from '../components/EmptyState';
import { Plot } from '../components/Plot';
import { StatusBadge } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { absoluteTime, relativeTime } from '../format';
import { DebuggerModel } from '../models/debugger';
import {
  debuggerConfigured,
  IRuleStatus,
  isScalar,
  ruleStatuses,
  tensorFigure,
  tensorsByCollection
} from '../models/debuggerSpec';

export interface IRulesTableProps {
  rules: IRuleStatus[];
  trans: TranslationBundle;
  /** Names the table for assistive technology. */
  label: string;
  /** Opens a rule's evaluation job (a processing job) in the job view. */
  onOpenJob?: (name: string) => void;
}

/** The rules of a job: status, why and when each fired, its evaluation job. */
export function RulesTable(props: IRulesTableProps): JSX.Element {
  const { rules, trans, onOpenJob } = props;
  return (
    <table
      className="jp-mlstudio-Table jp-mlstudio-RulesTable"
      aria-label={props.label}
    >
      <thead>
        <tr>
          <th scope="col">{trans.__('Rule')}</th>
          <th scope="col">{trans.__('Status')}</th>
          <th scope="col">{trans.__('Details')}</th>
          <th scope="col" className="jp-mlstudio-Number">
            {trans.__('Step')}
          </th>
          <th scope="col">{trans.__('Updated')}</th>
          <th scope="col">{trans.__('Evaluation job')}</th>
        </tr>
      </thead>
      <tbody>
        {rules.map(rule => (
          <tr
            key={rule.name}
            data-rule={rule.name}
            data-status={rule.status}
            className={
              rule.status === 'IssuesFound' ? 'jp-mlstudio-mod-issues' : ''
            }
          >
            <th scope="row">
              {rule.name}
              {rule.rule ? (
                <span className="jp-mlstudio-RulesTable-rule">{rule.rule}</span>
              ) : null}
            </th>
            <td>
              <StatusBadge status={rule.status} />
            </td>
            <td className="jp-mlstudio-RulesTable-details">
              {rule.details ??
                (rule.status === 'InProgress'
                  ? trans.__('Watching the job…')
                  : '')}
            </td>
            <td className="jp-mlstudio-Number">{rule.step ?? ''}</td>
            <td title={absoluteTime(rule.lastModified)}>
              {relativeTime(rule.lastModified)}
            </td>
            <td>
              {rule.jobName && onOpenJob ? (
                <button
                  type="button"
                  className="jp-mlstudio-Link jp-mlstudio-RulesTable-job"
                  title={trans.__('Open processing job %1', rule.jobName)}
                  onClick={() => onOpenJob(rule.jobName!)}
                >
                  {rule.jobName}
                </button>
              ) : (
                (rule.jobName ?? '')
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface IDebuggerTabProps {
  job: IJob;
  model: DebuggerModel;
  trans: TranslationBundle;
  onOpenJob?: (name: string) => void;
}

/** The Debugger tab: rules, then the tensor browser. */
export function DebuggerTab(props: IDebuggerTabProps): JSX.Element {
  const { job, model, trans } = props;
  const rules = ruleStatuses(job, 'Debug');
  if (!debuggerConfigured(job) && !rules.length) {
    return (
      <EmptyState title={trans.__('No Debugger configured for this job')}>
        {trans.__(
          'Pass rules to the estimator, e.g. rules=[Rule.sagemaker(rule_configs.loss_not_decreasing())] with a DebuggerHookConfig (or DebugHookConfig and DebugRuleConfigurations in CreateTrainingJob), and save tensors in the script with jupyter_mlstudio.debugger: hook = Hook.create_from_json_file(); hook.save_scalar("loss", loss).'
        )}
      </EmptyState>
    );
  }
  return (
    <div className="jp-mlstudio-DebuggerTab">
      <section aria-label={trans.__('Debugger rules')}>
        <h2>{trans.__('Rules')}</h2>
        {rules.length ? (
          <RulesTable
            rules={rules}
            trans={trans}
            label={trans.__('Debugger rules')}
            onOpenJob={props.onOpenJob}
          />
        ) : (
          <p className="jp-mlstudio-Muted">
            {trans.__(
              'No rules watch this job; its hook saves tensors only. Add rules with DebugRuleConfigurations.'
            )}
          </p>
        )}
      </section>
      <TensorBrowser model={model} trans={trans} />
    </div>
  );
}

const MODES: TensorMode[] = ['TRAIN', 'EVAL', 'PREDICT', 'GLOBAL'];

function TensorBrowser(props: {
  model: DebuggerModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  const groups = tensorsByCollection(model.tensors);
  let body: JSX.Element;
  if (!model.loaded) {
    body = model.error ? (
      <p role="alert" className="jp-mlstudio-ErrorState">
        {trans.__('Could not read the tensors: %1', model.error)}
      </p>
    ) : (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading tensors…')}
      </p>
    );
  } else if (!model.tensors.length) {
    body = (
      <EmptyState title={trans.__('No tensors saved yet')}>
        {trans.__(
          'The hook writes tensors below its LocalPath as the script saves them (save_scalar, save_tensor) at the collections’ save intervals.'
        )}
      </EmptyState>
    );
  } else {
    body = (
      <div className="jp-mlstudio-TensorBrowser">
        <div
          className="jp-mlstudio-TensorList"
          role="group"
          aria-label={trans.__('Tensors')}
        >
          {groups.map(([collection, tensors]) => (
            <fieldset key={collection}>
              <legend>{collection}</legend>
              {tensors.map(tensor => (
                <label
                  key={tensor.Name}
                  className="jp-mlstudio-TensorList-item"
                  data-tensor={tensor.Name}
                  title={trans.__(
                    '%1 steps (%2–%3), shape [%4]',
                    tensor.Steps,
                    tensor.FirstStep ?? '',
                    tensor.LastStep ?? '',
                    (tensor.Shape ?? []).join(', ')
                  )}
                >
                  <input
                    type="checkbox"
                    checked={model.selected.includes(tensor.Name)}
                    onChange={() => model.toggle(tensor.Name)}
                  />
                  <span className="jp-mlstudio-TensorList-name">
                    {tensor.Name}
                  </span>
                  <span className="jp-mlstudio-TensorList-steps">
                    {isScalar(tensor)
                      ? trans.__('%1 steps', tensor.Steps)
                      : trans.__(
                          '[%1] · %2 steps',
                          (tensor.Shape ?? []).join('×'),
                          tensor.Steps
                        )}
                  </span>
                </label>
              ))}
            </fieldset>
          ))}
        </div>
        <div className="jp-mlstudio-TensorCharts">
          {model.selected.length ? (
            model.selected.map(name => (
              <TensorChart key={name} name={name} model={model} trans={trans} />
            ))
          ) : (
            <p className="jp-mlstudio-Muted">
              {trans.__('Choose tensors to chart them over steps.')}
            </p>
          )}
        </div>
      </div>
    );
  }
  return (
    <section aria-label={trans.__('Tensors')}>
      <div className="jp-mlstudio-TensorHeader">
        <h2>{trans.__('Tensors')}</h2>
        <label className="jp-mlstudio-Field">
          {trans.__('Mode')}
          <select
            className="jp-mod-styled jp-mlstudio-TensorMode"
            value={model.mode}
            onChange={event =>
              (model.mode = event.target.value as TensorMode | '')
            }
          >
            <option value="">{trans.__('All modes')}</option>
            {MODES.map(mode => (
              <option key={mode} value={mode}>
                {mode}
              </option>
            ))}
          </select>
        </label>
      </div>
      {model.skipped.length ? (
        <p className="jp-mlstudio-Muted jp-mlstudio-TensorSkipped">
          {trans.__(
            'Skipped what could not be read: %1',
            model.skipped.join('; ')
          )}
        </p>
      ) : null}
      {body}
    </section>
  );
}

function TensorChart(props: {
  name: string;
  model: DebuggerModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { name, model, trans } = props;
  const state = model.series(name);
  const figure = React.useMemo(
    () => (state.kind === 'ready' ? tensorFigure(state.series) : null),
    [state]
  );
  return (
    <figure className="jp-mlstudio-TensorChart" data-tensor={name}>
      <figcaption>{name}</figcaption>
      {state.kind === 'error' ? (
        <p role="alert">{state.message}</p>
      ) : figure ? (
        <Plot
          label={trans.__('%1 over steps', name)}
          data={figure.data}
          layout={figure.layout}
        />
      ) : (
        <p className="jp-mlstudio-Loading">{trans.__('Loading chart…')}</p>
      )}
    </figure>
  );
}
