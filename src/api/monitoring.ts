/**
 * Model Monitor: an endpoint's monitoring schedules, their executions (processing jobs
 * over the captured requests of a window) and the report of an execution — per feature
 * the baseline's distribution against the window's, the drift distance over time and
 * the constraint violations.
 */
import { jsonInit, requestAPI } from './request';

/** Pending, Failed, Scheduled or Stopped. */
export type MonitoringScheduleStatus =
  'Pending' | 'Failed' | 'Scheduled' | 'Stopped';

/** Pending, InProgress, Completed, CompletedWithViolations, Failed, Stopping, Stopped. */
export type MonitoringExecutionStatus =
  | 'Pending'
  | 'InProgress'
  | 'Completed'
  | 'CompletedWithViolations'
  | 'Failed'
  | 'Stopping'
  | 'Stopped';

/** One execution of a schedule: the processing job that analysed a window. */
export interface IMonitoringExecution {
  MonitoringScheduleName: string;
  ScheduledTime: string;
  CreationTime?: string | null;
  LastModifiedTime?: string | null;
  MonitoringExecutionStatus: MonitoringExecutionStatus | string;
  ProcessingJobArn?: string | null;
  ProcessingJobName?: string | null;
  EndpointName?: string | null;
  FailureReason?: string | null;
  MonitoringType?: string | null;
  /** How many constraints the window violated (null until it completed). */
  ViolationCount?: number | null;
  /** Where the execution's files are. */
  OutputS3Uri?: string | null;
}

/** A schedule as the list reports it, with its next run and latest execution. */
export interface IMonitoringScheduleSummary {
  MonitoringScheduleName: string;
  MonitoringScheduleArn?: string;
  CreationTime?: string | null;
  LastModifiedTime?: string | null;
  MonitoringScheduleStatus: MonitoringScheduleStatus | string;
  EndpointName?: string | null;
  /** DataQuality or ModelQuality. */
  MonitoringType?: string | null;
  /** `cron(0 * ? * * *)`, or `NOW` for a one-time run. */
  ScheduleExpression?: string | null;
  /** When it runs next (null when stopped or a one-time run that ran). */
  NextScheduledTime?: string | null;
  LastMonitoringExecutionSummary?: IMonitoringExecution | null;
  FailureReason?: string | null;
}

export interface IListMonitoringSchedulesResponse {
  MonitoringScheduleSummaries: IMonitoringScheduleSummary[];
}

export interface IListMonitoringExecutionsResponse {
  MonitoringExecutionSummaries: IMonitoringExecution[];
}

/** A bucket of a numeric feature: the baseline's KLL bounds, both counts in them. */
export interface IDriftBin {
  LowerBound: number;
  UpperBound: number;
  BaselineCount: number;
  WindowCount: number;
}

/** A value of a string feature, counted in the baseline and in the window. */
export interface IDriftCategory {
  Value: string;
  BaselineCount: number;
  WindowCount: number;
}

/** One feature of an execution's window against the baseline. */
export interface IFeatureDrift {
  Name: string;
  /** Integral, Fractional or String. */
  InferredType?: string | null;
  /** The distance between the distributions (null when it could not be computed). */
  Distance?: number | null;
  /** The constraints' comparison threshold (null when drift is not checked). */
  Threshold?: number | null;
  Bins?: IDriftBin[] | null;
  Categories?: IDriftCategory[] | null;
}

/** A constraint the window violated. */
export interface IViolation {
  FeatureName?: string | null;
  /** A model quality violation names a metric instead of a feature. */
  MetricName?: string | null;
  ConstraintCheckType: string;
  Description: string;
}

/** The distances an execution found, per feature. */
export interface IDriftPoint {
  ScheduledTime: string;
  ProcessingJobName?: string | null;
  Distances: Record<string, number | null>;
}

/**
 * An execution's report, with the distances of the schedule's executions over time, as
 * the tab shows it (every member filled in: see `normalizeReport`).
 */
export interface IMonitoringReport {
  MonitoringScheduleName: string;
  ProcessingJobName?: string | null;
  ScheduledTime?: string | null;
  RecordCount?: number | null;
  ParseErrors?: number | null;
  Features: IFeatureDrift[];
  Violations: IViolation[];
  DriftHistory: IDriftPoint[];
}

/**
 * The report as the route sends it: any member of a feature, bucket, value or violation
 * may be missing or null (`normalizeReport` in models/monitoringSpec fills them in).
 */
export interface IMonitoringReportResponse {
  MonitoringScheduleName: string;
  ProcessingJobName?: string | null;
  ScheduledTime?: string | null;
  RecordCount?: number | null;
  ParseErrors?: number | null;
  Features?: {
    Name?: string | null;
    InferredType?: string | null;
    Distance?: number | null;
    Threshold?: number | null;
    Bins?:
      | {
          LowerBound?: number | null;
          UpperBound?: number | null;
          BaselineCount?: number | null;
          WindowCount?: number | null;
        }[]
      | null;
    Categories?:
      | {
          Value?: string | null;
          BaselineCount?: number | null;
          WindowCount?: number | null;
        }[]
      | null;
  }[];
  Violations?: {
    FeatureName?: string | null;
    MetricName?: string | null;
    ConstraintCheckType?: string | null;
    Description?: string | null;
  }[];
  DriftHistory?: {
    ScheduledTime: string;
    ProcessingJobName?: string | null;
    Distances?: Record<string, number | null> | null;
  }[];
}

const schedulePath = (name: string) =>
  `monitoring-schedules/${encodeURIComponent(name)}`;

/** The monitoring schedules (of one endpoint when `EndpointName` is given). */
export function listMonitoringSchedules(
  query: {
    EndpointName?: string;
    NameContains?: string;
    StatusEquals?: MonitoringScheduleStatus;
  } = {}
): Promise<IListMonitoringSchedulesResponse> {
  return requestAPI<IListMonitoringSchedulesResponse>(
    'monitoring-schedules',
    {},
    { ...query }
  );
}

/** The executions of a schedule or an endpoint, newest first unless asked otherwise. */
export function listMonitoringExecutions(
  query: {
    MonitoringScheduleName?: string;
    EndpointName?: string;
    SortOrder?: 'Ascending' | 'Descending';
    MaxResults?: number;
  } = {}
): Promise<IListMonitoringExecutionsResponse> {
  return requestAPI<IListMonitoringExecutionsResponse>(
    'monitoring-executions',
    {},
    { ...query }
  );
}

/**
 * The report of an execution of a schedule: the latest that completed, or the one whose
 * processing job is `processingJobName`.
 */
export function getMonitoringReport(
  schedule: string,
  processingJobName?: string
): Promise<IMonitoringReportResponse> {
  return requestAPI<IMonitoringReportResponse>(
    `${schedulePath(schedule)}/report`,
    {},
    { ProcessingJobName: processingJobName }
  );
}

/** Start a stopped schedule. */
export async function startMonitoringSchedule(name: string): Promise<void> {
  await requestAPI<unknown>(
    `${schedulePath(name)}/start`,
    jsonInit('POST', {})
  );
}

/** Stop a schedule: it runs no further executions until started again. */
export async function stopMonitoringSchedule(name: string): Promise<void> {
  await requestAPI<unknown>(`${schedulePath(name)}/stop`, jsonInit('POST', {}));
}
