/** The Jobs section: training, processing and AutoML jobs, live, filtered by status and kind. */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IJobSummary, JobKind, JobStatus } from '../api/types';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { useNow } from '../components/useNow';
import { useSignals } from '../components/useSignals';
import { duration } from '../format';
import { rulesWithIssues } from '../models/debuggerSpec';
import { JobsModel } from '../models/jobs';
import { SectionView, SectionWidget } from './section';

/** What the sidebar does when a job is opened. */
export interface IJobActions {
  openJob(kind: JobKind, name: string): void;
}

const STATUSES: JobStatus[] = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped'
];

export function kindLabel(kind: JobKind, trans: TranslationBundle): string {
  switch (kind) {
    case 'TrainingJob':
      return trans.__('Training job');
    case 'ProcessingJob':
      return trans.__('Processing job');
    case 'AutoMLJob':
      return trans.__('AutoML');
    default:
      return trans.__('Transform job');
  }
}

/**
 * What the job is doing beyond its status: an AutoML job's AutoMLJobSecondaryStatus
 * (in its outputs), another job's SecondaryStatus; null when it says no more.
 */
export function secondaryStatusOf(
  job: Pick<IJobSummary, 'Kind' | 'Status' | 'SecondaryStatus' | 'Outputs'>
): string | null {
  const secondary =
    job.Kind === 'AutoMLJob'
      ? (job.Outputs?.AutoMLJobSecondaryStatus as string | undefined)
      : job.SecondaryStatus;
  return secondary && secondary !== job.Status ? secondary : null;
}

/** The tag the studio puts on the training jobs a tuning job starts. */
export const TUNING_JOB_TAG = 'mlstudio:tuning-job';

/** The tuning job that started `job`, if one did. */
export function tuningJobOf(job: Pick<IJobSummary, 'Tags'>): string | null {
  return job.Tags?.[TUNING_JOB_TAG] || null;
}

export interface IJobsSectionProps {
  model: JobsModel;
  trans: TranslationBundle;
  onOpen?: (job: IJobSummary) => void;
}

/** Training and processing jobs with their status and a duration that counts up. */
export function JobsSection(props: IJobsSectionProps): JSX.Element {
  const { model, trans } = props;
  // The filters show the choice at once, not when the list it asks for arrives.
  useSignals(model.stateChanged, model.filterChanged);
  const now = useNow(model.live);
  const filter = model.filter;
  const filtered = filter.status !== '' || filter.kind !== '';

  const tools = (
    <div className="jp-mlstudio-JobFilters">
      <select
        className="jp-mod-styled jp-mlstudio-JobFilters-status"
        aria-label={trans.__('Show jobs in status')}
        value={filter.status}
        onChange={event =>
          (model.filter = {
            ...filter,
            status: event.target.value as JobStatus | ''
          })
        }
      >
        <option value="">{trans.__('Any status')}</option>
        {STATUSES.map(status => (
          <option key={status} value={status}>
            {statusLabel(status)}
          </option>
        ))}
      </select>
      <select
        className="jp-mod-styled jp-mlstudio-JobFilters-kind"
        aria-label={trans.__('Show jobs of kind')}
        value={filter.kind}
        onChange={event =>
          (model.filter = {
            ...filter,
            kind: event.target.value as JobKind | ''
          })
        }
      >
        <option value="">{trans.__('All jobs')}</option>
        <option value="TrainingJob">{trans.__('Training')}</option>
        <option value="ProcessingJob">{trans.__('Processing')}</option>
        <option value="AutoMLJob">{trans.__('AutoML')}</option>
      </select>
    </div>
  );

  return (
    <SectionView<IJobSummary>
      model={model}
      trans={trans}
      texts={{
        noun: trans.__('jobs'),
        emptyTitle: trans.__('No jobs yet'),
        emptyBody: trans.__(
          'Training, processing and AutoML jobs you start from a notebook (for example with an Estimator’s fit()) appear here with their status and duration.'
        )
      }}
      tools={tools}
      renderEmpty={() =>
        filtered ? (
          <p className="jp-mlstudio-Loading" role="status">
            {trans.__('No jobs match the filter.')}
          </p>
        ) : null
      }
      onOpenItem={props.onOpen}
      itemKey={job => `${job.Kind}/${job.JobName}`}
      itemLabel={job =>
        trans.__(
          '%1, %2, %3',
          job.JobName,
          kindLabel(job.Kind, trans),
          statusLabel(job.Status)
        )
      }
      renderItem={job => <JobRow job={job} now={now} trans={trans} />}
    />
  );
}

function JobRow(props: {
  job: IJobSummary;
  now: Date;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, trans } = props;
  const took = duration(job.StartTime, job.EndTime, props.now);
  const issues = rulesWithIssues(job);
  return (
    <div data-job={job.JobName} data-status={job.Status}>
      <div className="jp-mlstudio-Row-main">
        <span className="jp-mlstudio-Row-name" title={job.JobName}>
          {job.JobName}
        </span>
        <StatusBadge status={job.Status} />
      </div>
      <div className="jp-mlstudio-Row-detail">
        <span className="jp-mlstudio-Row-kind">
          {kindLabel(job.Kind, trans)}
        </span>
        {issues.length ? (
          <span
            className="jp-mlstudio-RuleIssues jp-mlstudio-Row-issues"
            title={trans.__('Issues found by %1', issues.join(', '))}
            aria-label={trans.__('%1 rule(s) found issues', issues.length)}
          >
            {trans.__('%1 issue(s)', issues.length)}
          </span>
        ) : null}
        {secondaryStatusOf(job) ? (
          <span className="jp-mlstudio-Row-secondary">
            {statusLabel(secondaryStatusOf(job)!)}
          </span>
        ) : null}
        {tuningJobOf(job) ? (
          <span
            className="jp-mlstudio-Row-tuning"
            title={trans.__('Started by tuning job %1', tuningJobOf(job))}
          >
            {trans.__('tuning %1', tuningJobOf(job))}
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
      {job.FailureReason ? (
        <div className="jp-mlstudio-Row-failure" title={job.FailureReason}>
          {job.FailureReason}
        </div>
      ) : null}
    </div>
  );
}

export function createJobsWidget(
  model: JobsModel,
  trans: TranslationBundle,
  actions?: IJobActions
): SectionWidget {
  const onOpen = actions
    ? (job: IJobSummary) => actions.openJob(job.Kind, job.JobName)
    : undefined;
  return new SectionWidget(
    () => <JobsSection model={model} trans={trans} onOpen={onOpen} />,
    { id: 'mlstudio-jobs', label: trans.__('Jobs') }
  );
}
