/**
 * The parts of the AutoML view: the stage timeline, the candidate leaderboard, the
 * objective chart over candidates and the data panel (the analysed table's columns).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IAnalysisColumn, IAutoMLAnalysis } from '../api/automl';
import { EmptyState } from '../components/EmptyState';
import { Plot } from '../components/Plot';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { candidateObjectiveFigure } from '../components/automlFigures';
import { duration, formatNumber } from '../format';
import { AutoMLModel } from '../models/automlModel';
import {
  CandidateColumn,
  candidateObjective,
  candidateRanks,
  candidateTrainingJob,
  ITimelineStep,
  launchOrder
} from '../models/automlSpec';

/** The stages, each with its duration; the current one marked. */
export function StageTimeline(props: {
  steps: ITimelineStep[];
  now: Date;
  trans: TranslationBundle;
}): JSX.Element {
  const { steps, trans } = props;
  return (
    <ol className="jp-mlstudio-AutoMLTimeline" aria-label={trans.__('Stages')}>
      {steps.map(step => {
        const current = step.state === 'current';
        const took =
          step.ending || !step.start
            ? ''
            : duration(step.start, step.end, props.now);
        return (
          <li
            key={`${step.ending ? 'end' : 'stage'}:${step.stage}`}
            className={`jp-mlstudio-AutoMLTimeline-step jp-mod-${step.state}${step.ending ? ' jp-mod-ending' : ''}`}
            data-stage={step.stage}
            data-state={step.state}
            aria-current={current ? 'step' : undefined}
          >
            <span
              className="jp-mlstudio-AutoMLTimeline-marker"
              aria-hidden="true"
            />
            <span className="jp-mlstudio-AutoMLTimeline-name">
              {statusLabel(step.stage)}
            </span>
            <span className="jp-mlstudio-AutoMLTimeline-detail">
              {step.ending
                ? step.state === 'done'
                  ? trans.__('ended')
                  : trans.__('not yet')
                : step.state === 'skipped'
                  ? trans.__('skipped')
                  : step.state === 'pending'
                    ? trans.__('waiting')
                    : current
                      ? trans.__('%1 so far', took)
                      : took}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** A header cell that sorts by its column (a button, with aria-sort). */
function SortHeader(props: {
  column: CandidateColumn;
  label: string;
  model: AutoMLModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { column, model, trans } = props;
  const sort = model.sort;
  const sorted = sort.column === column;
  return (
    <th
      scope="col"
      aria-sort={
        sorted ? (sort.descending ? 'descending' : 'ascending') : undefined
      }
      data-column={column}
    >
      <button
        type="button"
        className="jp-mlstudio-TuningTable-sort"
        title={trans.__('Sort by %1', props.label)}
        onClick={() => model.sortBy(column)}
      >
        {props.label}
        <span className="jp-mlstudio-TuningTable-arrow" aria-hidden="true">
          {sorted ? (sort.descending ? ' ▼' : ' ▲') : ''}
        </span>
      </button>
    </th>
  );
}

/** The candidates ranked by objective, sortable; the best highlighted. */
export function Leaderboard(props: {
  model: AutoMLModel;
  metricName: string;
  onOpenJob?: (name: string) => void;
  now: Date;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans, now } = props;
  const candidates = model.sortedCandidates(now.getTime());
  const ranks = candidateRanks(model.candidates, model.objectiveType);
  const bestName = model.best?.CandidateName ?? null;
  const header = (column: CandidateColumn, label: string) => (
    <SortHeader
      key={column}
      column={column}
      label={label}
      model={model}
      trans={trans}
    />
  );
  return (
    <div className="jp-mlstudio-TuningTable-scroll">
      <table
        className="jp-mlstudio-Table jp-mlstudio-TuningTable jp-mlstudio-AutoMLLeaderboard"
        aria-label={trans.__('Candidates')}
      >
        <thead>
          <tr>
            {header('rank', trans.__('Rank'))}
            {header('name', trans.__('Candidate'))}
            {header('objective', props.metricName || trans.__('Objective'))}
            {header('algorithm', trans.__('Algorithm'))}
            {header('preprocessing', trans.__('Preprocessing'))}
            {header('status', trans.__('Status'))}
            {header('duration', trans.__('Training time'))}
          </tr>
        </thead>
        <tbody>
          {candidates.map(candidate => {
            const name = candidate.CandidateName;
            const best = name === bestName;
            const value = candidateObjective(candidate);
            const job = candidateTrainingJob(candidate);
            const definition = candidate.CandidateDefinition ?? {};
            return (
              <tr
                key={name}
                data-candidate={name}
                data-status={candidate.CandidateStatus}
                className={best ? 'jp-mod-best' : ''}
              >
                <td className="jp-mlstudio-TuningTable-number">
                  {ranks.get(name) ?? '—'}
                </td>
                <td className="jp-mlstudio-TuningTable-name">
                  {job && props.onOpenJob ? (
                    <button
                      type="button"
                      className="jp-mlstudio-Link"
                      title={trans.__('Open training job %1', job)}
                      onClick={() => props.onOpenJob?.(job)}
                    >
                      {name}
                    </button>
                  ) : (
                    name
                  )}
                  {best ? (
                    <span
                      className="jp-mlstudio-BestTag"
                      title={trans.__('The best candidate')}
                    >
                      {trans.__('★ best')}
                    </span>
                  ) : null}
                </td>
                <td
                  className="jp-mlstudio-TuningTable-objective"
                  title={value === null ? '' : String(value)}
                >
                  {value === null ? (
                    <span className="jp-mlstudio-Muted">—</span>
                  ) : (
                    formatNumber(value)
                  )}
                </td>
                <td className="jp-mlstudio-AutoMLLeaderboard-algorithm">
                  {definition.Algorithm ?? ''}
                </td>
                <td className="jp-mlstudio-AutoMLLeaderboard-preprocessing">
                  {definition.Preprocessing ?? ''}
                </td>
                <td className="jp-mlstudio-TuningTable-status">
                  <StatusBadge status={candidate.CandidateStatus} />
                  {candidate.FailureReason ? (
                    <div
                      className="jp-mlstudio-TuningTable-failure"
                      title={candidate.FailureReason}
                    >
                      {candidate.FailureReason}
                    </div>
                  ) : null}
                </td>
                <td className="jp-mlstudio-TuningTable-duration">
                  {duration(candidate.CreationTime, candidate.EndTime, now)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Each candidate's objective in launch order, with the best so far. */
export function CandidateChart(props: {
  model: AutoMLModel;
  metricName: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, metricName, trans } = props;
  const candidates = model.candidates;
  const type = model.objectiveType;
  const figure = React.useMemo(
    () =>
      candidateObjectiveFigure(candidates, type, metricName, {
        candidateNumber: trans.__('Candidate (launch order)'),
        objective: trans.__('Objective'),
        candidate: trans.__('Candidate'),
        bestSoFar: trans.__('Best so far'),
        best: trans.__('Best')
      }),
    [candidates, type, metricName]
  );
  if (!launchOrder(candidates).some(c => candidateObjective(c) !== null)) {
    return (
      <EmptyState title={trans.__('No objective values yet')}>
        {trans.__(
          'Each candidate’s %1 is charted here once its training job reports it.',
          metricName || trans.__('objective')
        )}
      </EmptyState>
    );
  }
  return (
    <Plot
      className="jp-mlstudio-AutoMLChart"
      label={trans.__('%1 by candidate', metricName || trans.__('Objective'))}
      data={figure.data}
      layout={figure.layout}
    />
  );
}

function columnType(column: IAnalysisColumn, trans: TranslationBundle): string {
  switch (column.Type) {
    case 'numeric':
      return trans.__('numeric');
    case 'categorical':
      return trans.__('categorical');
    case 'dropped':
      return trans.__('dropped');
    default:
      return column.Type;
  }
}

/** The analysed table: rows, target and classes, and each column's type. */
export function DataPanel(props: {
  analysis: IAutoMLAnalysis | undefined;
  trans: TranslationBundle;
}): JSX.Element {
  const { analysis, trans } = props;
  const columns = analysis?.Columns ?? [];
  if (!analysis || !columns.length) {
    return (
      <EmptyState title={trans.__('Not analysed yet')}>
        {trans.__(
          'The columns of the table appear here once the job has analysed it.'
        )}
      </EmptyState>
    );
  }
  return (
    <>
      <p className="jp-mlstudio-AutoMLData-summary">
        {trans.__('%1 rows, %2 columns', analysis.Rows ?? '?', columns.length)}
        {analysis.Classes?.length
          ? trans.__('; classes %1', analysis.Classes.join(', '))
          : ''}
        {analysis.InferredBecause
          ? trans.__(' (problem type inferred: %1)', analysis.InferredBecause)
          : ''}
      </p>
      <table
        className="jp-mlstudio-Table jp-mlstudio-AutoMLData"
        aria-label={trans.__('Columns')}
      >
        <thead>
          <tr>
            <th scope="col">{trans.__('Column')}</th>
            <th scope="col">{trans.__('Type')}</th>
            <th scope="col" className="jp-mlstudio-Number">
              {trans.__('Missing')}
            </th>
            <th scope="col" className="jp-mlstudio-Number">
              {trans.__('Distinct')}
            </th>
          </tr>
        </thead>
        <tbody>
          {analysis.Target ? (
            <tr data-column={analysis.Target} className="jp-mod-target">
              <td>{analysis.Target}</td>
              <td>{trans.__('target')}</td>
              <td className="jp-mlstudio-Number" />
              <td className="jp-mlstudio-Number">
                {analysis.Classes?.length ?? ''}
              </td>
            </tr>
          ) : null}
          {columns.map(column => (
            <tr
              key={column.Name}
              data-column={column.Name}
              data-type={column.Type}
              className={column.Type === 'dropped' ? 'jp-mod-dropped' : ''}
            >
              <td>{column.Name}</td>
              <td>{columnType(column, trans)}</td>
              <td className="jp-mlstudio-Number">
                {formatNumber(column.Missing)}
              </td>
              <td className="jp-mlstudio-Number">
                {formatNumber(column.Distinct)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
