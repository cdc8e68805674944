import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IJobSummary } from '../api/types';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { duration } from '../format';
import { JobsModel } from '../models/jobs';
import { SectionView, SectionWidget } from './section';

export interface IJobsSectionProps {
  model: JobsModel;
  trans: TranslationBundle;
}

function kindLabel(job: IJobSummary, trans: TranslationBundle): string {
  return job.Kind === 'TrainingJob'
    ? trans.__('Training job')
    : trans.__('Processing job');
}

/** Training and processing jobs with their status and duration. */
export function JobsSection(props: IJobsSectionProps): JSX.Element {
  const { model, trans } = props;
  return (
    <SectionView<IJobSummary>
      model={model}
      trans={trans}
      texts={{
        noun: trans.__('jobs'),
        emptyTitle: trans.__('No jobs yet'),
        emptyBody: trans.__(
          'Training and processing jobs you start from a notebook (for example with an Estimator’s fit()) appear here with their status and duration.'
        )
      }}
      summary={jobs => {
        const running = jobs.filter(job => job.Status === 'InProgress').length;
        const total = trans._n('%1 job', '%1 jobs', jobs.length);
        return running
          ? trans.__('%1 · %2 in progress', total, running)
          : total;
      }}
      itemKey={job => `${job.Kind}/${job.JobName}`}
      itemLabel={job =>
        trans.__(
          '%1, %2, %3',
          job.JobName,
          kindLabel(job, trans),
          statusLabel(job.Status)
        )
      }
      renderItem={job => {
        const took = duration(job.StartTime, job.EndTime);
        return (
          <>
            <div className="jp-mlstudio-Row-main">
              <span className="jp-mlstudio-Row-name" title={job.JobName}>
                {job.JobName}
              </span>
              <StatusBadge status={job.Status} />
            </div>
            <div className="jp-mlstudio-Row-detail">
              <span className="jp-mlstudio-Row-kind">
                {kindLabel(job, trans)}
              </span>
              {job.SecondaryStatus && job.SecondaryStatus !== job.Status ? (
                <span>{statusLabel(job.SecondaryStatus)}</span>
              ) : null}
              {took ? <span title={trans.__('Duration')}>{took}</span> : null}
            </div>
            {job.FailureReason ? (
              <div
                className="jp-mlstudio-Row-failure"
                title={job.FailureReason}
              >
                {job.FailureReason}
              </div>
            ) : null}
          </>
        );
      }}
    />
  );
}

export function createJobsWidget(
  model: JobsModel,
  trans: TranslationBundle
): SectionWidget {
  return new SectionWidget(() => <JobsSection model={model} trans={trans} />, {
    id: 'mlstudio-jobs',
    label: trans.__('Jobs')
  });
}
