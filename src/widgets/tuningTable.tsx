/**
 * The training jobs of a tuning job as a table: number, name (opens the job), status
 * (jobs stopped early marked), objective, each tuned hyperparameter and training time;
 * every column sorts, the best job is starred.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { ITuningTrainingJob } from '../api/tuning';
import { StatusBadge } from '../components/StatusBadge';
import { duration, formatNumber } from '../format';
import {
  ITuningSort,
  jobNumbers,
  objectiveValue,
  stoppedEarly,
  TuningColumn
} from '../models/tuningSpec';

export interface ITuningTableProps {
  /** The jobs, already in the table's order. */
  jobs: readonly ITuningTrainingJob[];
  /** Every job (numbers count over all of them). */
  allJobs: readonly ITuningTrainingJob[];
  parameters: readonly string[];
  metricName: string;
  sort: ITuningSort;
  onSort: (column: TuningColumn) => void;
  /** The best training job's name, starred. */
  bestName: string | null;
  onOpenJob?: (name: string) => void;
  now: Date;
  trans: TranslationBundle;
}

/** A "Stopped early" tag: words, not only a colour. */
export function EarlyStopTag(props: { trans: TranslationBundle }): JSX.Element {
  const { trans } = props;
  return (
    <span
      className="jp-mlstudio-EarlyStopTag"
      title={trans.__('The early-stopping rule stopped this training job.')}
    >
      {trans.__('Stopped early')}
    </span>
  );
}

/** A numeric hyperparameter in few digits (the title has it whole); text as it is. */
function parameterText(value: string | undefined): string {
  if (value === undefined) {
    return '';
  }
  const parsed = value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(parsed) ? formatNumber(parsed) : value;
}

export function TuningTable(props: ITuningTableProps): JSX.Element {
  const { jobs, sort, trans } = props;
  const numbers = React.useMemo(
    () => jobNumbers(props.allJobs),
    [props.allJobs]
  );
  const header = (column: TuningColumn, label: string, title?: string) => {
    const sorted = sort.column === column;
    return (
      <th
        key={column}
        scope="col"
        aria-sort={
          sorted ? (sort.descending ? 'descending' : 'ascending') : undefined
        }
        data-column={column}
      >
        <button
          type="button"
          className="jp-mlstudio-TuningTable-sort"
          title={title ?? trans.__('Sort by %1', label)}
          onClick={() => props.onSort(column)}
        >
          {label}
          <span className="jp-mlstudio-TuningTable-arrow" aria-hidden="true">
            {sorted ? (sort.descending ? ' ▼' : ' ▲') : ''}
          </span>
        </button>
      </th>
    );
  };
  return (
    <div className="jp-mlstudio-TuningTable-scroll">
      <table
        className="jp-mlstudio-Table jp-mlstudio-TuningTable"
        aria-label={trans.__('Training jobs')}
      >
        <thead>
          <tr>
            {header('number', '#', trans.__('Sort by job number'))}
            {header('name', trans.__('Training job'))}
            {header('status', trans.__('Status'))}
            {header(
              'objective',
              props.metricName || trans.__('Objective'),
              trans.__('Sort by the objective, %1', props.metricName)
            )}
            {props.parameters.map(name => header(`hp:${name}`, name))}
            {header('duration', trans.__('Training time'))}
          </tr>
        </thead>
        <tbody>
          {jobs.map(job => {
            const best = job.TrainingJobName === props.bestName;
            const early = stoppedEarly(job);
            const value = objectiveValue(job);
            return (
              <tr
                key={job.TrainingJobName}
                data-job={job.TrainingJobName}
                data-status={job.TrainingJobStatus}
                className={`${best ? 'jp-mod-best' : ''} ${early ? 'jp-mod-early-stopped' : ''}`}
              >
                <td className="jp-mlstudio-TuningTable-number">
                  {numbers.get(job)}
                </td>
                <td className="jp-mlstudio-TuningTable-name">
                  <button
                    type="button"
                    className="jp-mlstudio-Link"
                    title={trans.__(
                      'Open training job %1',
                      job.TrainingJobName
                    )}
                    onClick={() => props.onOpenJob?.(job.TrainingJobName)}
                  >
                    {job.TrainingJobName}
                  </button>
                  {best ? (
                    <span
                      className="jp-mlstudio-BestTag"
                      title={trans.__('The best training job')}
                    >
                      {trans.__('★ best')}
                    </span>
                  ) : null}
                </td>
                <td className="jp-mlstudio-TuningTable-status">
                  <StatusBadge status={job.TrainingJobStatus} />
                  {early ? <EarlyStopTag trans={trans} /> : null}
                  {job.FailureReason ? (
                    <div
                      className="jp-mlstudio-TuningTable-failure"
                      title={job.FailureReason}
                    >
                      {job.FailureReason}
                    </div>
                  ) : null}
                </td>
                <td
                  className="jp-mlstudio-TuningTable-objective"
                  title={value === null ? '' : String(value)}
                >
                  {value === null ? (
                    <span className="jp-mlstudio-Muted">
                      {job.ObjectiveStatus === 'Failed'
                        ? trans.__('none')
                        : '—'}
                    </span>
                  ) : (
                    formatNumber(value)
                  )}
                </td>
                {props.parameters.map(name => (
                  <td
                    key={name}
                    className="jp-mlstudio-TuningTable-param"
                    title={job.TunedHyperParameters?.[name]}
                  >
                    {parameterText(job.TunedHyperParameters?.[name])}
                  </td>
                ))}
                <td className="jp-mlstudio-TuningTable-duration">
                  {duration(
                    job.TrainingStartTime,
                    job.TrainingEndTime,
                    props.now
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
