/**
 * One AutoML job for its main-area view: the job and its candidates (read together,
 * polled while it runs), its log, the leaderboard's sort order, Stop, and the best
 * candidate for Deploy best.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  describeAutoMLJob,
  getAutoMLJobLogs,
  IAutoMLCandidate,
  IAutoMLJob,
  listAllCandidates,
  stopAutoMLJob
} from '../api/automl';
import {
  automlOutputs,
  automlSummary,
  bestOf,
  CandidateColumn,
  DEFAULT_SORT,
  IAutoMLSummary,
  ICandidateSort,
  initialSort,
  ObjectiveType,
  objectiveType,
  sortCandidates
} from './automlSpec';
import { isTerminal } from './jobSpec';
import { LIVE_INTERVAL } from './jobs';
import { LogFollower } from './logFollower';
import { Poller } from './poller';

export type AutoMLState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; job: IAutoMLJob; candidates: IAutoMLCandidate[] };

interface IAnswer {
  job: IAutoMLJob;
  candidates: IAutoMLCandidate[];
}

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

export class AutoMLModel implements IDisposable {
  constructor(
    readonly name: string,
    options: AutoMLModel.IOptions = {}
  ) {
    this._poller = new Poller<IAnswer>({
      name: `automl:${name}`,
      interval: options.interval ?? LIVE_INTERVAL,
      standby: options.standby,
      idle: () => !!this._answer && isTerminal(this._answer.job),
      request: async () => {
        const [job, candidates] = await Promise.all([
          describeAutoMLJob(name),
          listAllCandidates(name)
        ]);
        return { job, candidates };
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
      `mlstudio:automl-log:${name}`,
      offset => getAutoMLJobLogs(name, offset),
      {
        interval: options.logInterval,
        standby: options.standby,
        active: true
      }
    );
  }

  /** The AutoML job's own log: its stages and each candidate started and ended. */
  readonly log: LogFollower;

  get state(): AutoMLState {
    return this._state;
  }

  /** Emitted when the job, its candidates, the sort or an error changes. */
  get stateChanged(): ISignal<this, AutoMLState> {
    return this._stateChanged;
  }

  /** The AutoML job, once loaded. */
  get job(): IAutoMLJob | null {
    return this._answer?.job ?? null;
  }

  /** Its candidates, in launch order. */
  get candidates(): IAutoMLCandidate[] {
    return this._answer?.candidates ?? [];
  }

  /** Problem type, objective, target and rows, as far as the job has resolved them. */
  get summary(): IAutoMLSummary | null {
    return this._answer ? automlSummary(this._answer.job) : null;
  }

  /** Whether the objective is maximized (F1, Accuracy, ...) or minimized (MSE, ...). */
  get objectiveType(): ObjectiveType {
    return objectiveType(this.candidates, this.summary?.metricName ?? null);
  }

  /**
   * The best candidate: the job's BestCandidate, or while it names none yet, the best
   * of the candidates read.
   */
  get best(): IAutoMLCandidate | null {
    const job = this.job;
    if (!job) {
      return null;
    }
    return (
      automlOutputs(job).BestCandidate ??
      bestOf(this.candidates, this.objectiveType)
    );
  }

  /** The candidate Deploy best deploys: the job's BestCandidate (null until it has one). */
  get deployable(): IAutoMLCandidate | null {
    const job = this.job;
    return job ? (automlOutputs(job).BestCandidate ?? null) : null;
  }

  /** The error of the last refresh when it failed after the job had loaded. */
  get refreshError(): string | null {
    return this._refreshError;
  }

  /** The leaderboard's order; by rank (best first) until the user picks a column. */
  get sort(): ICandidateSort {
    return this._sort;
  }

  /**
   * Sort by `column`: a new column starts in its natural order (best first for the
   * objective, ascending otherwise); the same column again reverses it.
   */
  sortBy(column: CandidateColumn): void {
    this._sort =
      this._sort.column === column
        ? { column, descending: !this._sort.descending }
        : initialSort(column, this.objectiveType);
    this._emit();
  }

  /** The candidates in the leaderboard's order. */
  sortedCandidates(now: number = Date.now()): IAutoMLCandidate[] {
    return sortCandidates(this.candidates, this._sort, this.objectiveType, now);
  }

  /** Whether Stop applies: the job is still in progress. */
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
   * Ask the server to stop the AutoML job, then reload it.
   *
   * @throws {StudioApiError} when the server refuses (e.g. it already ended).
   */
  async stop(): Promise<void> {
    await stopAutoMLJob(this.name);
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
    this.log.dispose();
    Signal.clearData(this);
  }

  private _received(answer: IAnswer): void {
    this._answer = answer;
    this._refreshError = null;
    this._state = { kind: 'ready', ...answer };
    this._emit();
  }

  private _emit(): void {
    this._stateChanged.emit(this._state);
  }

  private _answer: IAnswer | null = null;
  private _poller: Poller<IAnswer>;
  private _refreshError: string | null = null;
  private _sort: ICandidateSort = DEFAULT_SORT;
  private _state: AutoMLState = { kind: 'loading' };
  private _stateChanged = new Signal<this, AutoMLState>(this);
}

export namespace AutoMLModel {
  export interface IOptions {
    /** Seconds between reloads while the AutoML job runs. */
    interval?: number;
    /** Seconds between reads of the job's log while it grows. */
    logInterval?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}
