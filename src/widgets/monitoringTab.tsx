/**
 * The Monitoring tab of an endpoint's view: its monitoring schedules with their status,
 * cadence and next run (start and stop), their executions with the violations each
 * found and a link to its processing job, and the report of the execution shown
 * (./monitoringReport).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IMonitoringExecution } from '../api/monitoring';
import { confirmAction } from '../components/confirmAction';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { RefreshButton } from '../components/RefreshButton';
import { StatusBadge } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { absoluteTime, formatNumber, relativeTime } from '../format';
import { MonitoringModel } from '../models/monitoring';
import {
  hasReport,
  oneTimeRunDone,
  scheduleCadence,
  timeUntil
} from '../models/monitoringSpec';
import { ReportSection } from './monitoringReport';

export interface IMonitoringTabProps {
  model: MonitoringModel;
  trans: TranslationBundle;
  /** Whether the endpoint captures its requests (monitoring reads them). */
  captures: boolean;
  /** Opens an execution's processing job in the job view. */
  onOpenJob?: (name: string) => void;
}

/** A time: relative, with the full time in its tooltip. */
function When(props: { iso?: string | null }): JSX.Element | null {
  if (!props.iso) {
    return null;
  }
  return (
    <time dateTime={props.iso} title={absoluteTime(props.iso)}>
      {relativeTime(props.iso)}
    </time>
  );
}

/** A schedule expression in words, e.g. “Hourly” or “One-time run”. */
export function cadenceLabel(
  expression: string | null | undefined,
  trans: TranslationBundle
): string {
  const cadence = scheduleCadence(expression);
  switch (cadence.kind) {
    case 'now':
      return trans.__('One-time run');
    case 'hourly':
      return trans.__('Hourly');
    case 'daily':
      return trans.__(
        'Daily at %1:00 UTC',
        String(cadence.hour).padStart(2, '0')
      );
    case 'every':
      return trans.__('Every %1 hours', cadence.hours);
    default:
      return cadence.expression || trans.__('No schedule');
  }
}

/** The Monitoring tab: schedules, executions, then the report of the one shown. */
export function MonitoringTab(props: IMonitoringTabProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  if (!model.loaded) {
    return model.error ? (
      <ErrorState
        title={trans.__('Could not read the monitoring schedules.')}
        message={model.error}
        retryLabel={trans.__('Retry')}
        onRetry={() => void model.refresh()}
      />
    ) : (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading monitoring schedules…')}
      </p>
    );
  }
  if (!model.schedules.length) {
    return (
      <div className="jp-mlstudio-MonitoringTab">
        <EmptyState title={trans.__('No monitoring schedule')}>
          {trans.__(
            'Create one with DefaultModelMonitor.create_monitoring_schedule(endpoint_input=…, output_s3_uri=…, statistics=…, constraints=…, schedule_cron_expression=CronExpressionGenerator.hourly()) after a baseline from suggest_baseline(…); its executions then compare the requests this endpoint captured with the baseline.'
          )}
        </EmptyState>
        {props.captures ? null : (
          <p className="jp-mlstudio-Muted jp-mlstudio-MonitoringCapture">
            {trans.__(
              'This endpoint does not capture its requests: deploy it with a DataCaptureConfig (enable_capture=True) so that a schedule has data to analyse.'
            )}
          </p>
        )}
      </div>
    );
  }
  return (
    <div className="jp-mlstudio-MonitoringTab" data-live={model.live}>
      <div className="jp-mlstudio-MonitoringHeader">
        <span className="jp-mlstudio-Muted" role="status">
          {model.live
            ? trans.__('An execution is running; refreshing every few seconds.')
            : trans._n(
                '%1 monitoring schedule',
                '%1 monitoring schedules',
                model.schedules.length
              )}
        </span>
        <span className="jp-mlstudio-JobHeader-spacer" />
        <RefreshButton
          label={trans.__('Refresh monitoring')}
          onRefresh={() => model.refresh()}
        />
      </div>
      {model.error ? (
        <p role="alert" className="jp-mlstudio-MonitoringError">
          {trans.__('Could not refresh: %1', model.error)}
        </p>
      ) : null}
      <section aria-label={trans.__('Monitoring schedules')}>
        <h2>{trans.__('Schedules')}</h2>
        <SchedulesTable model={model} trans={trans} />
      </section>
      <section aria-label={trans.__('Monitoring executions')}>
        <h2>{trans.__('Executions')}</h2>
        <ExecutionsTable {...props} />
      </section>
      <ReportSection model={model} trans={trans} />
    </div>
  );
}

function SchedulesTable(props: {
  model: MonitoringModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const several = model.schedules.length > 1;
  const stop = (name: string) =>
    void confirmAction({
      title: trans.__('Stop monitoring schedule “%1”?', name),
      body: trans.__(
        'It runs no further executions until it is started again. Its executions and their reports are kept.'
      ),
      cancelLabel: trans.__('Keep it running'),
      acceptLabel: trans.__('Stop schedule'),
      failedTitle: trans.__('Could not stop “%1”', name),
      run: () => model.stop(name)
    });
  const start = async (name: string) => {
    try {
      await model.start(name);
    } catch (error) {
      model.error = (error as Error).message;
      model.changed.emit(undefined);
    }
  };
  return (
    <table
      className="jp-mlstudio-Table jp-mlstudio-SchedulesTable"
      aria-label={trans.__('Monitoring schedules')}
    >
      <thead>
        <tr>
          <th scope="col">{trans.__('Schedule')}</th>
          <th scope="col">{trans.__('Type')}</th>
          <th scope="col">{trans.__('Status')}</th>
          <th scope="col">{trans.__('Runs')}</th>
          <th scope="col">{trans.__('Next run')}</th>
          <th scope="col">{trans.__('Latest execution')}</th>
          <th scope="col">
            <span className="jp-mlstudio-VisuallyHidden">
              {trans.__('Actions')}
            </span>
          </th>
        </tr>
      </thead>
      <tbody>
        {model.schedules.map(schedule => {
          const name = schedule.MonitoringScheduleName;
          const selected = name === model.schedule;
          const latest = schedule.LastMonitoringExecutionSummary;
          const status = schedule.MonitoringScheduleStatus;
          return (
            <tr
              key={name}
              data-schedule={name}
              data-status={status}
              className={selected && several ? 'jp-mod-selected' : ''}
            >
              <th scope="row">
                {several ? (
                  <button
                    type="button"
                    className="jp-mlstudio-Link jp-mlstudio-SchedulesTable-name"
                    aria-pressed={selected}
                    title={trans.__('Show the report of %1', name)}
                    onClick={() => (model.schedule = name)}
                  >
                    {name}
                  </button>
                ) : (
                  name
                )}
              </th>
              <td>{schedule.MonitoringType ?? ''}</td>
              <td>
                <StatusBadge status={status} />
              </td>
              <td
                className="jp-mlstudio-SchedulesTable-cadence"
                title={schedule.ScheduleExpression ?? ''}
              >
                {cadenceLabel(schedule.ScheduleExpression, trans)}
              </td>
              <td className="jp-mlstudio-SchedulesTable-next">
                {schedule.NextScheduledTime && status === 'Scheduled' ? (
                  <time
                    dateTime={schedule.NextScheduledTime}
                    title={absoluteTime(schedule.NextScheduledTime)}
                  >
                    {timeUntil(schedule.NextScheduledTime)}
                  </time>
                ) : (
                  <span className="jp-mlstudio-Muted">—</span>
                )}
              </td>
              <td>
                {latest ? (
                  <ExecutionStatus execution={latest} trans={trans} />
                ) : (
                  <span className="jp-mlstudio-Muted">
                    {trans.__('None yet')}
                  </span>
                )}
              </td>
              <td className="jp-mlstudio-SchedulesTable-actions">
                {oneTimeRunDone(schedule) ? null : status === 'Stopped' ? (
                  <button
                    type="button"
                    className="jp-Button jp-mod-styled jp-mlstudio-ScheduleStart"
                    aria-label={trans.__('Start schedule %1', name)}
                    onClick={() => void start(name)}
                  >
                    {trans.__('Start')}
                  </button>
                ) : status === 'Scheduled' || status === 'Pending' ? (
                  <button
                    type="button"
                    className="jp-Button jp-mod-styled jp-mlstudio-ScheduleStop"
                    aria-label={trans.__('Stop schedule %1', name)}
                    onClick={() => stop(name)}
                  >
                    {trans.__('Stop')}
                  </button>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** An execution's status with the violations it found. */
function ExecutionStatus(props: {
  execution: IMonitoringExecution;
  trans: TranslationBundle;
}): JSX.Element {
  const { execution, trans } = props;
  const count = execution.ViolationCount;
  return (
    <span className="jp-mlstudio-ExecutionStatus">
      <StatusBadge status={execution.MonitoringExecutionStatus} />
      {typeof count === 'number' && count > 0 ? (
        <span
          className="jp-mlstudio-ViolationCount"
          title={trans._n('%1 violation', '%1 violations', count)}
        >
          {trans._n('%1 violation', '%1 violations', count)}
        </span>
      ) : null}
    </span>
  );
}

function ExecutionsTable(props: IMonitoringTabProps): JSX.Element {
  const { model, trans, onOpenJob } = props;
  const executions = model.executions;
  if (!executions.length) {
    return (
      <p className="jp-mlstudio-Muted">
        {trans.__(
          'No executions yet: each schedule runs at its next run time over the requests captured in its window (a one-time run starts at once).'
        )}
      </p>
    );
  }
  const several = model.schedules.length > 1;
  const report = model.report.kind === 'ready' ? model.report.report : null;
  const shown = model.execution || report?.ProcessingJobName || '';
  return (
    <table
      className="jp-mlstudio-Table jp-mlstudio-ExecutionsTable"
      aria-label={trans.__('Monitoring executions')}
    >
      <thead>
        <tr>
          <th scope="col">{trans.__('Scheduled')}</th>
          {several ? <th scope="col">{trans.__('Schedule')}</th> : null}
          <th scope="col">{trans.__('Status')}</th>
          <th scope="col" className="jp-mlstudio-Number">
            {trans.__('Violations')}
          </th>
          <th scope="col">{trans.__('Processing job')}</th>
          <th scope="col">{trans.__('Report')}</th>
        </tr>
      </thead>
      <tbody>
        {executions.map(execution => {
          const job = execution.ProcessingJobName ?? '';
          const status = execution.MonitoringExecutionStatus;
          const isShown =
            !!job &&
            job === shown &&
            execution.MonitoringScheduleName === model.schedule;
          return (
            <tr
              key={`${execution.MonitoringScheduleName}/${execution.ScheduledTime}/${job}`}
              data-job={job}
              data-status={status}
              className={isShown ? 'jp-mod-selected' : ''}
            >
              <td>
                <When iso={execution.ScheduledTime} />
              </td>
              {several ? <td>{execution.MonitoringScheduleName}</td> : null}
              <td>
                <StatusBadge status={status} />
                {execution.FailureReason ? (
                  <span className="jp-mlstudio-MonitoringFailure">
                    {execution.FailureReason}
                  </span>
                ) : null}
              </td>
              <td
                className={`jp-mlstudio-Number ${execution.ViolationCount ? 'jp-mod-error' : ''}`}
              >
                {typeof execution.ViolationCount === 'number'
                  ? formatNumber(execution.ViolationCount)
                  : ''}
              </td>
              <td>
                {job && onOpenJob ? (
                  <button
                    type="button"
                    className="jp-mlstudio-Link jp-mlstudio-ExecutionsTable-job"
                    title={trans.__('Open processing job %1', job)}
                    onClick={() => onOpenJob(job)}
                  >
                    {job}
                  </button>
                ) : (
                  job
                )}
              </td>
              <td>
                {hasReport(status) && job ? (
                  isShown ? (
                    <span className="jp-mlstudio-Muted">
                      {trans.__('Shown')}
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="jp-mlstudio-Link jp-mlstudio-ExecutionsTable-show"
                      aria-label={trans.__('Show the report of %1', job)}
                      onClick={() => model.showExecution(execution)}
                    >
                      {trans.__('Show')}
                    </button>
                  )
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
