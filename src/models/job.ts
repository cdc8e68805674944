/**
 * One job for its main-area view: the job (polled while it runs), the log of the host
 * on screen (followed until complete), its run's metrics when it records one, and Stop.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { describeJob, stopJob } from '../api/jobs';
import { IJob, JobKind } from '../api/types';
import { DebuggerModel, ProfilerModel } from './debugger';
import { JobLog } from './jobLog';
import { ruleStatuses, rulesRunning } from './debuggerSpec';
import { isTerminal, jobHosts } from './jobSpec';
import { LIVE_INTERVAL } from './jobs';
import { Poller } from './poller';
import { RunModel } from './run';

/** The tabs of a training job's view. */
export type JobTab = 'overview' | 'debugger' | 'profiler';

export type JobState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; job: IJob };

/**
 * Whether nothing about the job changes any more: it ended and so did its rules'
 * evaluations (they end after it, and the ProfilerReport is written then).
 */
export function settled(job: IJob): boolean {
  return (
    isTerminal(job) &&
    !rulesRunning([
      ...ruleStatuses(job, 'Debug'),
      ...ruleStatuses(job, 'Profiler')
    ])
  );
}

export class JobModel implements IDisposable {
  constructor(
    readonly jobKind: JobKind,
    readonly name: string,
    options: JobModel.IOptions = {}
  ) {
    this._options = options;
    this._poller = new Poller<IJob>({
      name: `job:${name}`,
      interval: options.interval ?? LIVE_INTERVAL,
      standby: options.standby,
      idle: () => !!this._job && settled(this._job),
      request: () => describeJob(this.jobKind, this.name),
      apply: job => this._received(job),
      fail: error => {
        if (!this._job) {
          this._set({
            kind: 'error',
            message: error instanceof Error ? error.message : String(error)
          });
        }
      }
    });
  }

  get state(): JobState {
    return this._state;
  }

  /** The job, once loaded. */
  get job(): IJob | null {
    return this._job;
  }

  /** Emitted when the job, the host or the run changes. */
  get stateChanged(): ISignal<this, JobState> {
    return this._stateChanged;
  }

  /** The hosts the job runs on (algo-1 … algo-N). */
  get hosts(): string[] {
    return this._job ? jobHosts(this._job) : ['algo-1'];
  }

  /** The host whose log is shown. */
  get host(): string {
    return this._host;
  }
  set host(value: string) {
    if (value === this._host) {
      return;
    }
    this._host = value;
    this._activateLogs();
    this._emit();
  }

  /** Whether the server serves this kind of job's log (training and processing). */
  get hasLogs(): boolean {
    return this.jobKind !== 'TransformJob';
  }

  /** The log of the host on screen (followed while it grows). */
  get log(): JobLog {
    let log = this._logs.get(this._host);
    if (!log) {
      log = new JobLog(this.jobKind, this.name, this._host, {
        interval: this._options.logInterval,
        standby: this._options.standby,
        active: this.active && this._tab === 'overview'
      });
      this._logs.set(this._host, log);
    }
    return log;
  }

  /** The tab on screen (training jobs have Debugger and Profiler tabs). */
  get tab(): JobTab {
    return this._tab;
  }
  set tab(value: JobTab) {
    if (value === this._tab) {
      return;
    }
    this._tab = value;
    this._activateLogs();
    this._activateTabs();
    this._emit();
  }

  /** The Debugger tab's tensors (polled only while that tab is on screen). */
  get debugger(): DebuggerModel {
    if (!this._debugger) {
      this._debugger = new DebuggerModel(this.name, this._tabOptions());
      this._activateTabs();
    }
    return this._debugger;
  }

  /** The Profiler tab's samples (polled only while that tab is on screen). */
  get profiler(): ProfilerModel {
    if (!this._profiler) {
      this._profiler = new ProfilerModel(this.name, this._tabOptions());
      this._activateTabs();
    }
    return this._profiler;
  }

  /** The run that records the job's metrics, when it has one. */
  get run(): RunModel | null {
    return this._run;
  }

  /** Whether Stop applies: the job is still in progress. */
  get canStop(): boolean {
    return this._job?.Status === 'InProgress';
  }

  /**
   * Whether the view is on screen. The job, the log on screen and the run poll only
   * while it is; becoming active reloads them at once.
   */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
    this._activateLogs();
    this._activateTabs();
    if (this._run) {
      this._run.active = value;
    }
  }

  /** Load now (the view calls it when it opens and on its refresh button). */
  async refresh(): Promise<void> {
    await this._poller.refresh();
  }

  /**
   * Ask the server to stop the job, then reload it.
   *
   * @throws {StudioApiError} when the server refuses (e.g. the job already ended).
   */
  async stop(): Promise<void> {
    await stopJob(this.jobKind, this.name);
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
    this._logs.forEach(log => log.dispose());
    this._logs.clear();
    this._run?.dispose();
    this._debugger?.dispose();
    this._profiler?.dispose();
    Signal.clearData(this);
  }

  private _received(job: IJob): void {
    const ended = !!this._job && !isTerminal(this._job) && isTerminal(job);
    const settles = !!this._job && !settled(this._job) && settled(job);
    this._job = job;
    if (!this.hosts.includes(this._host)) {
      this._host = this.hosts[0];
      this._activateLogs();
    }
    if (job.TrialComponentName && this._run?.name !== job.TrialComponentName) {
      this._run?.dispose();
      this._run = new RunModel(job.TrialComponentName, LIVE_INTERVAL, {
        standby: this._options.standby,
        active: this.active
      });
      void this._run.refresh();
    } else if (ended) {
      // The last metrics may have arrived after the run's last poll.
      void this._run?.refresh();
    }
    if (settles) {
      // So may the last tensors and samples, and the report once its rule ended.
      void this._debugger?.refresh();
      void this._profiler?.refresh();
    }
    this._set({ kind: 'ready', job });
  }

  private _set(state: JobState): void {
    this._state = state;
    this._emit();
  }

  /** Only the log of the host on screen is read, and only while the view and its
   * tab (the overview) are. */
  private _activateLogs(): void {
    const shown = this.active && this._tab === 'overview';
    this._logs.forEach(
      (log, host) => (log.active = shown && host === this._host)
    );
  }

  /** Only the tab on screen polls, and only while the view is. */
  private _activateTabs(): void {
    if (this._debugger) {
      this._debugger.active = this.active && this._tab === 'debugger';
    }
    if (this._profiler) {
      this._profiler.active = this.active && this._tab === 'profiler';
    }
  }

  private _tabOptions() {
    return {
      ended: () => !!this._job && settled(this._job),
      interval: this._options.interval,
      standby: this._options.standby
    };
  }

  private _emit(): void {
    this._stateChanged.emit(this._state);
  }

  private _debugger: DebuggerModel | null = null;
  private _host = 'algo-1';
  private _job: IJob | null = null;
  private _logs = new Map<string, JobLog>();
  private _options: JobModel.IOptions;
  private _poller: Poller<IJob>;
  private _profiler: ProfilerModel | null = null;
  private _run: RunModel | null = null;
  private _state: JobState = { kind: 'loading' };
  private _stateChanged = new Signal<this, JobState>(this);
  private _tab: JobTab = 'overview';
}

export namespace JobModel {
  export interface IOptions {
    /** Seconds between reloads of the job while it runs. */
    interval?: number;
    /** Seconds between log reads while the log grows. */
    logInterval?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}
