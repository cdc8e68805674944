/**
 * Model Monitor: an endpoint's monitoring schedules, their executions (processing jobs
 * over the captured requests of a window) and the report of an execution — per feature
 * the baseline's distribution against the window's, the drift distance over time and
 * the constraint violations.
 */
import { jsonInit, requestAPI } from './request';
import type { QueryOf, Schemas } from './types';

// The route's types are aliases of those generated from the server's OpenAPI document
// (`schema.d.ts`, `jlpm api:types`); the report as the tab reads it (every member filled
// in by `normalizeReport`) is spelled out here.

/** Pending, Failed, Scheduled or Stopped. */
export type MonitoringScheduleStatus =
  Schemas['ScheduleSummaryBody']['MonitoringScheduleStatus'];

/** Pending, InProgress, Completed, CompletedWithViolations, Failed, Stopping, Stopped. */
export type MonitoringExecutionStatus =
  Schemas['ExecutionSummaryBody']['MonitoringExecutionStatus'];

/**
 * One execution of a schedule: the processing job that analysed a window, with the
 * violations it found (ViolationCount, null until it completed).
 */
export type IMonitoringExecution = Schemas['ExecutionSummaryBody'];

/** A schedule as the list reports it, with its next run and latest execution. */
export type IMonitoringScheduleSummary = Schemas['ScheduleSummaryBody'];

export type IListMonitoringSchedulesResponse = Schemas['ListSchedulesResponse'];
export type IListMonitoringExecutionsResponse =
  Schemas['ListExecutionsResponse'];

/**
 * The report as the route sends it: a feature's name, a bucket's bounds and counts, a
 * violation's texts may be null (`normalizeReport` in models/monitoringSpec fills them
 * in).
 */
export type IMonitoringReportResponse = Schemas['ReportResponse'];

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
  /** The feature (or, for model quality, the metric) it is about. */
  FeatureName?: string | null;
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

const schedulePath = (name: string) =>
  `monitoring-schedules/${encodeURIComponent(name)}`;

/** The monitoring schedules (of one endpoint when `EndpointName` is given), newest first. */
export function listMonitoringSchedules(
  query: Partial<QueryOf<'listMonitoringSchedules'>> = {}
): Promise<IListMonitoringSchedulesResponse> {
  return requestAPI<IListMonitoringSchedulesResponse>(
    'monitoring-schedules',
    {},
    { ...query }
  );
}

/** The executions of a schedule or an endpoint, newest first unless asked otherwise. */
export function listMonitoringExecutions(
  query: Partial<QueryOf<'listMonitoringExecutions'>> = {}
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
