/**
 * One tuning job for its main-area view: the job and the training jobs it started
 * (read together, polled while it runs), the tuner's log, the table's sort order, Stop,
 * and the best training job for Deploy best.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { describeJob } from '../api/jobs';
import {
  describeTuningJob,
  getTuningJobLogs,
  ITuningJob,
  ITuningTrainingJob,
  listAllTuningTrainingJobs,
  MAX_TRAINING_JOBS,
  stopTuningJob
} from '../api/tuning';
import { IJob } from '../api/types';
import { isTerminal } from './jobSpec';
import { LIVE_INTERVAL } from './jobs';
import { LogFollower } from './logFollower';
import { Poller } from './poller';
import {
  defaultSort,
  ITuningConfig,
  ITuningOutputs,
  ITuningSort,
  liveOutputs,
  parameterNames,
  sortTrainingJobs,
  TuningColumn,
  tuningConfig,
  tuningOutputs
} from './tuningSpec';

export type TuningState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; job: ITuningJob; trainingJobs: ITuningTrainingJob[] };

interface IAnswer {
  job: ITuningJob;
  trainingJobs: ITuningTrainingJob[];
}

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

export class TuningModel implements IDisposable {
  constructor(
    readonly name: string,
    options: TuningModel.IOptions = {}
  ) {
    this._poller = new Poller<IAnswer>({
      name: `tuning:${name}`,
      interval: options.interval ?? LIVE_INTERVAL,
      standby: options.standby,
      idle: () => !!this._answer && isTerminal(this._answer.job),
      request: async () => {
        const [job, trainingJobs] = await Promise.all([
          describeTuningJob(name),
          listAllTuningTrainingJobs(name)
        ]);
        return { job, trainingJobs };
      },
      apply: answer => this._received(answer),
      fail: error => {
        this._refreshError = message(error);
        if (!this._answer) {
          this._state = { kind: 'error', message: message(error) };
        }
        this._emit();
      }
    });
    this.log = new LogFollower(
      `mlstudio:tuning-log:${name}`,
      offset => getTuningJobLogs(name, offset),
      {
        interval: options.logInterval,
        standby: options.standby,
        active: true
      }
    );
  }

  /** The tuner's own log: a line per training job started, ended, stopped early. */
  readonly log: LogFollower;

  get state(): TuningState {
    return this._state;
  }

  /** Emitted when the job, its training jobs, the sort or an error changes. */
  get stateChanged(): ISignal<this, TuningState> {
    return this._stateChanged;
  }

  /** The tuning job, once loaded. */
  get job(): ITuningJob | null {
    return this._answer?.job ?? null;
  }

  /** The tuning job's configuration (empty defaults until loaded). */
  get config(): ITuningConfig | null {
    return this._config;
  }

  /** The training jobs it started, in creation order. */
  get trainingJobs(): ITuningTrainingJob[] {
    return this._answer?.trainingJobs ?? [];
  }

  /**
   * The tuning job's counters and best training job, counted from its training jobs
   * as read (fresher than the job's own outputs, which follow a little later).
   */
  get outputs(): ITuningOutputs | null {
    return this._outputs;
  }

  /** The tuned hyperparameters' names (the table's and the chart's columns). */
  get parameterNames(): string[] {
    return parameterNames(this._config?.ranges ?? [], this.trainingJobs);
  }

  /** The error of the last refresh when it failed after the job had loaded. */
  get refreshError(): string | null {
    return this._refreshError;
  }

  /** The table's order; best objective first until the user picks a column. */
  get sort(): ITuningSort {
    return (
      this._sort ?? defaultSort(this._config?.objective.type ?? 'Maximize')
    );
  }

  /**
   * Sort by `column`: a new column starts in its natural order (best first for the
   * objective, ascending otherwise); the same column again reverses it.
   */
  sortBy(column: TuningColumn): void {
    const current = this.sort;
    if (current.column === column) {
      this._sort = { column, descending: !current.descending };
    } else if (column === 'objective') {
      this._sort = defaultSort(this._config?.objective.type ?? 'Maximize');
    } else {
      this._sort = { column, descending: false };
    }
    this._emit();
  }

  /** The training jobs in the table's order. */
  sortedTrainingJobs(now: number = Date.now()): ITuningTrainingJob[] {
    return sortTrainingJobs(
      this.trainingJobs,
      this.sort,
      this._config?.ranges ?? [],
      now
    );
  }

  /** Whether Stop applies: the tuning job is still in progress. */
  get canStop(): boolean {
    return this.job?.Status === 'InProgress';
  }

  /**
   * Whether the view is on screen. The job and its log poll only while it is;
   * becoming active reloads them at once.
   */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
    this.log.active = value;
  }

  /** Load now (the view calls it when it opens and on its refresh button). */
  async refresh(): Promise<void> {
    await this._poller.refresh();
  }

  /**
   * Ask the server to stop the tuning job, then reload it.
   *
   * @throws {StudioApiError} when the server refuses (e.g. it already ended).
   */
  async stop(): Promise<void> {
    await stopTuningJob(this.name);
    await this.refresh();
  }

  /**
   * The best training job, described in full (its model, image and script), as
   * deploying it needs; null while no job reported an objective.
   */
  async bestTrainingJob(): Promise<IJob | null> {
    const best = this._outputs?.best ?? null;
    return best ? describeJob('TrainingJob', best.TrainingJobName) : null;
  }

  get isDisposed(): boolean {
    return this._poller.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.dispose();
    this.log.dispose();
    Signal.clearData(this);
  }

  private _received(answer: IAnswer): void {
    this._answer = answer;
    this._config = tuningConfig(answer.job);
    this._outputs = liveOutputs(
      tuningOutputs(answer.job),
      answer.trainingJobs,
      this._config.objective.type,
      answer.trainingJobs.length < MAX_TRAINING_JOBS
    );
    this._refreshError = null;
    this._state = { kind: 'ready', ...answer };
    this._emit();
  }

  private _emit(): void {
    this._stateChanged.emit(this._state);
  }

  private _answer: IAnswer | null = null;
  private _config: ITuningConfig | null = null;
  private _outputs: ITuningOutputs | null = null;
  private _poller: Poller<IAnswer>;
  private _refreshError: string | null = null;
  private _sort: ITuningSort | null = null;
  private _state: TuningState = { kind: 'loading' };
  private _stateChanged = new Signal<this, TuningState>(this);
}

export namespace TuningModel {
  export interface IOptions {
    /** Seconds between reloads while the tuning job runs. */
    interval?: number;
    /** Seconds between reads of the tuner's log while it grows. */
    logInterval?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}
