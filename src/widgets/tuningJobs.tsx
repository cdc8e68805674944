/**
 * The Tuning section: hyperparameter tuning jobs with their status, strategy,
 * progress ("4 of 6 jobs", how many run) and the best objective so far, live.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { ITuningJob } from '../api/tuning';
import { JobStatus } from '../api/types';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { useNow } from '../components/useNow';
import { useSignals } from '../components/useSignals';
import { duration } from '../format';
import { TuningJobsModel } from '../models/tuningJobs';
import {
  bestText,
  ITuningProgress,
  progressFraction,
  progressText,
  tuningConfig,
  tuningProgress
} from '../models/tuningSpec';
import { SectionView, SectionWidget } from './section';

/** What the sidebar does when a tuning job is opened. */
export interface ITuningActions {
  openTuningJob(name: string): void;
}

const STATUSES: JobStatus[] = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped'
];

/** A thin bar of the jobs started out of the most allowed. */
export function ProgressBar(props: {
  progress: ITuningProgress;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { progress, trans } = props;
  const fraction = progressFraction(progress);
  if (fraction === null || progress.max === null) {
    return null;
  }
  return (
    <div
      className="jp-mlstudio-TuningProgress"
      role="progressbar"
      aria-label={trans.__('Training jobs started')}
      aria-valuemin={0}
      aria-valuemax={progress.max}
      aria-valuenow={progress.started}
      aria-valuetext={progressText(progress, trans)}
    >
      <div
        className="jp-mlstudio-TuningProgress-bar"
        style={{ width: `${Math.round(fraction * 100)}%` }}
      />
    </div>
  );
}

export interface ITuningJobsSectionProps {
  model: TuningJobsModel;
  trans: TranslationBundle;
  onOpen?: (job: ITuningJob) => void;
}

/** Tuning jobs with their progress and best objective. */
export function TuningJobsSection(props: ITuningJobsSectionProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged, model.statusChanged);
  const now = useNow(model.live);
  const tools = (
    <div className="jp-mlstudio-JobFilters">
      <select
        className="jp-mod-styled jp-mlstudio-TuningFilters-status"
        aria-label={trans.__('Show tuning jobs in status')}
        value={model.status}
        onChange={event => (model.status = event.target.value as JobStatus)}
      >
        <option value="">{trans.__('Any status')}</option>
        {STATUSES.map(status => (
          <option key={status} value={status}>
            {statusLabel(status)}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <SectionView<ITuningJob>
      model={model}
      trans={trans}
      texts={{
        noun: trans.__('tuning jobs'),
        emptyTitle: trans.__('No tuning jobs yet'),
        emptyBody: trans.__(
          'Tuning jobs you start with a HyperparameterTuner’s fit() appear here with their progress and best objective; open one to compare its training jobs.'
        )
      }}
      tools={tools}
      renderEmpty={() =>
        model.status ? (
          <p className="jp-mlstudio-Loading" role="status">
            {trans.__('No tuning jobs match the filter.')}
          </p>
        ) : null
      }
      onOpenItem={props.onOpen}
      itemKey={job => job.JobName}
      itemLabel={job =>
        trans.__(
          '%1, tuning job, %2, %3',
          job.JobName,
          statusLabel(job.Status),
          progressText(tuningProgress(job), trans)
        )
      }
      renderItem={job => <TuningRow job={job} now={now} trans={trans} />}
    />
  );
}

function TuningRow(props: {
  job: ITuningJob;
  now: Date;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, trans } = props;
  const progress = tuningProgress(job);
  const took = duration(job.StartTime, job.EndTime, props.now);
  const best = bestText(progress, trans);
  return (
    <div data-tuning-job={job.JobName} data-status={job.Status}>
      <div className="jp-mlstudio-Row-main">
        <span className="jp-mlstudio-Row-name" title={job.JobName}>
          {job.JobName}
        </span>
        <StatusBadge status={job.Status} />
      </div>
      <div className="jp-mlstudio-Row-detail">
        <span className="jp-mlstudio-Row-kind">
          {tuningConfig(job).strategy}
        </span>
        <span className="jp-mlstudio-Row-progress">
          {progressText(progress, trans)}
        </span>
        {progress.running ? (
          <span className="jp-mlstudio-Row-running">
            {trans.__('%1 running', progress.running)}
          </span>
        ) : null}
        {took ? (
          <span
            className="jp-mlstudio-Row-duration"
            title={trans.__('Duration')}
          >
            {took}
          </span>
        ) : null}
      </div>
      <ProgressBar progress={progress} trans={trans} />
      {best ? <div className="jp-mlstudio-Row-best">{best}</div> : null}
      {job.FailureReason ? (
        <div className="jp-mlstudio-Row-failure" title={job.FailureReason}>
          {job.FailureReason}
        </div>
      ) : null}
    </div>
  );
}

export function createTuningJobsWidget(
  model: TuningJobsModel,
  trans: TranslationBundle,
  actions?: ITuningActions
): SectionWidget {
  const onOpen = actions
    ? (job: ITuningJob) => actions.openTuningJob(job.JobName)
    : undefined;
  return new SectionWidget(
    () => <TuningJobsSection model={model} trans={trans} onOpen={onOpen} />,
    { id: 'mlstudio-tuning-jobs', label: trans.__('Tuning') }
  );
}
