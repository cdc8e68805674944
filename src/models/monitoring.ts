/**
 * The Monitoring tab of an endpoint's view: its monitoring schedules, their executions
 * and the report of the execution shown (the latest that completed unless one is
 * chosen). It polls through one `Poller` while the tab is on screen, every
 * `LIVE_INTERVAL` seconds while an execution runs or waits; the report is read again
 * only when what it depends on changed (another schedule or execution, a new
 * completed execution).
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import {
  getMonitoringReport,
  IMonitoringExecution,
  IMonitoringReport,
  IMonitoringScheduleSummary,
  listMonitoringExecutions,
  listMonitoringSchedules,
  startMonitoringSchedule,
  stopMonitoringSchedule
} from '../api/monitoring';
import { LIVE_INTERVAL } from './jobs';
import {
  defaultSchedule,
  hasReport,
  monitoringLive,
  normalizeReport,
  sortedFeatures
} from './monitoringSpec';
import { Poller } from './poller';

/** How many executions the tab lists (newest first). */
export const MAX_EXECUTIONS = 50;

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/** The report of the execution shown, or why it could not be read. */
export type ReportState =
  | { kind: 'none' }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; report: IMonitoringReport };

interface IAnswer {
  schedules: IMonitoringScheduleSummary[];
  executions: IMonitoringExecution[];
  /** The report read with this answer (undefined: the one shown still holds). */
  report?: ReportState;
  reportKey: string;
  /** The schedule the answer was read for. */
  schedule: string;
}

export class MonitoringModel implements IDisposable {
  constructor(
    readonly endpointName: string,
    options: MonitoringModel.IOptions = {}
  ) {
    this._poller = new Poller<IAnswer>({
      name: `monitoring:${endpointName}`,
      interval: options.interval,
      standby: options.standby,
      active: options.active ?? false,
      request: () => this._request(),
      apply: answer => this._apply(answer),
      fail: error => {
        this.error = message(error);
        this.changed.emit(undefined);
      }
    });
  }

  /** Emitted when anything shown changes. */
  readonly changed = new Signal<this, void>(this);

  /** The last request's error ('' after an answer). */
  error = '';

  /** Whether an answer arrived. */
  loaded = false;

  /** The endpoint's schedules. */
  schedules: IMonitoringScheduleSummary[] = [];

  /** The endpoint's executions, newest first. */
  executions: IMonitoringExecution[] = [];

  /** Whether an execution runs or waits (the tab then polls every LIVE_INTERVAL s). */
  get live(): boolean {
    return monitoringLive(this.schedules, this.executions);
  }

  /** The schedule whose report is shown. */
  get schedule(): string {
    return this._schedule;
  }
  set schedule(value: string) {
    if (value === this._schedule) {
      return;
    }
    this._schedule = value;
    this._execution = '';
    this._report = { kind: 'loading' };
    this.changed.emit(undefined);
    void this.refresh();
  }

  /** The processing job of the execution shown ('' for the latest completed). */
  get execution(): string {
    return this._execution;
  }

  /** Show the report of an execution ('' for the latest that completed). */
  showExecution(execution: IMonitoringExecution | null): void {
    const job = execution?.ProcessingJobName ?? '';
    const schedule = execution?.MonitoringScheduleName ?? this._schedule;
    if (job === this._execution && schedule === this._schedule) {
      return;
    }
    this._schedule = schedule;
    this._execution = job;
    this._report = { kind: 'loading' };
    this.changed.emit(undefined);
    void this.refresh();
  }

  /** The report shown. */
  get report(): ReportState {
    return this._report;
  }

  /** The feature whose charts are shown (the first of the report's order by default). */
  get feature(): string {
    const report = this._report.kind === 'ready' ? this._report.report : null;
    if (!report) {
      return '';
    }
    if (report.Features.some(f => f.Name === this._feature)) {
      return this._feature;
    }
    return sortedFeatures(report.Features, report.Violations)[0]?.Name ?? '';
  }
  set feature(value: string) {
    if (value === this._feature) {
      return;
    }
    this._feature = value;
    this.changed.emit(undefined);
  }

  /** Whether the tab is on screen (it polls only then; becoming so reloads it). */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
  }

  /** Load now. */
  async refresh(): Promise<void> {
    await this._poller.refresh();
  }

  /**
   * Start a stopped schedule, then reload.
   *
   * @throws {StudioApiError} when the server refuses.
   */
  async start(name: string): Promise<void> {
    await startMonitoringSchedule(name);
    await this.refresh();
  }

  /**
   * Stop a schedule, then reload.
   *
   * @throws {StudioApiError} when the server refuses.
   */
  async stop(name: string): Promise<void> {
    await stopMonitoringSchedule(name);
    await this.refresh();
  }

  get isDisposed(): boolean {
    return this._poller.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.dispose();
    Signal.clearData(this);
  }

  private async _request(): Promise<IAnswer> {
    const [{ MonitoringScheduleSummaries }, { MonitoringExecutionSummaries }] =
      await Promise.all([
        listMonitoringSchedules({ EndpointName: this.endpointName }),
        listMonitoringExecutions({
          EndpointName: this.endpointName,
          SortOrder: 'Descending',
          MaxResults: MAX_EXECUTIONS
        })
      ]);
    const schedules = MonitoringScheduleSummaries ?? [];
    const executions = MonitoringExecutionSummaries ?? [];
    const schedule = schedules.some(
      s => s.MonitoringScheduleName === this._schedule
    )
      ? this._schedule
      : defaultSchedule(schedules);
    const execution = this._execution;
    // The report changes with its schedule, its execution, and (for the latest and
    // the drift over time) each execution of the schedule that completes.
    const completed = executions
      .filter(
        e =>
          e.MonitoringScheduleName === schedule &&
          hasReport(e.MonitoringExecutionStatus)
      )
      .map(e => e.ProcessingJobName ?? e.ScheduledTime);
    const reportKey = `${schedule}\n${execution}\n${completed.join(',')}`;
    const answer: IAnswer = { schedules, executions, reportKey, schedule };
    if (!schedule) {
      answer.report = { kind: 'none' };
    } else if (
      reportKey !== this._reportKey ||
      this._report.kind === 'error' ||
      this._report.kind === 'loading'
    ) {
      try {
        answer.report = {
          kind: 'ready',
          report: normalizeReport(
            await getMonitoringReport(schedule, execution || undefined)
          )
        };
      } catch (error) {
        answer.report = { kind: 'error', message: message(error) };
      }
    }
    return answer;
  }

  private _apply(answer: IAnswer): void {
    this.error = '';
    this.loaded = true;
    this.schedules = answer.schedules;
    this.executions = answer.executions;
    this._schedule = answer.schedule;
    if (answer.report) {
      this._report = answer.report;
      this._reportKey = answer.reportKey;
    }
    this._poller.liveInterval = this.live ? LIVE_INTERVAL : null;
    this.changed.emit(undefined);
  }

  private _execution = '';
  private _feature = '';
  private _poller: Poller<IAnswer>;
  private _report: ReportState = { kind: 'loading' };
  private _reportKey = '';
  private _schedule = '';
}

export namespace MonitoringModel {
  export interface IOptions {
    /** Seconds between polls while nothing runs. */
    interval?: number;
    standby?: Poll.Standby;
    /** Whether the tab starts on screen; defaults to false. */
    active?: boolean;
  }
}
