/** Monitoring schedules and executions as the routes answer them, for the specs. */
import type {
  IMonitoringExecution,
  IMonitoringScheduleSummary,
  MonitoringExecutionStatus,
  MonitoringScheduleStatus
} from '../api/monitoring';

/** An execution of `churn-hourly` on endpoint `churn` (its processing job `job`). */
export function execution(
  job: string,
  status: MonitoringExecutionStatus,
  extra: Partial<IMonitoringExecution> = {}
): IMonitoringExecution {
  return {
    MonitoringScheduleName: 'churn-hourly',
    ScheduledTime: '2026-12-06T10:00:00Z',
    CreationTime: '2026-12-06T10:00:01Z',
    LastModifiedTime: '2026-12-06T10:00:05Z',
    MonitoringExecutionStatus: status,
    ProcessingJobArn: `arn:aws:sagemaker:local:000000000000:processing-job/${job}`,
    ProcessingJobName: job,
    EndpointName: 'churn',
    MonitoringType: 'DataQuality',
    FailureReason: null,
    ViolationCount: null,
    OutputS3Uri: null,
    ...extra
  };
}

/** An hourly data quality schedule on endpoint `churn`, running in 30 minutes. */
export function schedule(
  extra: Partial<IMonitoringScheduleSummary> & {
    MonitoringScheduleStatus?: MonitoringScheduleStatus;
  } = {}
): IMonitoringScheduleSummary {
  const name = extra.MonitoringScheduleName ?? 'churn-hourly';
  return {
    MonitoringScheduleName: name,
    MonitoringScheduleArn: `arn:aws:sagemaker:local:000000000000:monitoring-schedule/${name}`,
    CreationTime: '2026-12-06T09:00:00Z',
    LastModifiedTime: '2026-12-06T09:00:00Z',
    MonitoringScheduleStatus: 'Scheduled',
    EndpointName: 'churn',
    MonitoringType: 'DataQuality',
    ScheduleExpression: 'cron(0 * ? * * *)',
    NextScheduledTime: new Date(Date.now() + 30 * 60_000).toISOString(),
    LastMonitoringExecutionSummary: null,
    ...extra
  };
}
