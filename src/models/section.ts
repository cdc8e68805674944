/**
 * The state and signal shared by the sidebar sections: each section model fetches one
 * list from the API and keeps it fresh with a `Poller` (polling only while the section
 * is on screen) and says when it changed.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ServerExtensionMissingError, StudioApiError } from '../api/request';
import { DEFAULT_REFRESH_INTERVAL, Poller } from './poller';

export { DEFAULT_REFRESH_INTERVAL } from './poller';

/** What a section shows. */
export type SectionState<T> =
  | { kind: 'loading' }
  | { kind: 'ready'; items: T[] }
  | { kind: 'error'; message: string }
  | {
      kind: 'missing-extension';
      reason: ServerExtensionMissingError['reason'];
      message: string;
    };

export abstract class SectionModel<T> implements IDisposable {
  constructor(options: SectionModel.IOptions) {
    this._poller = new Poller<T[]>({
      name: options.name,
      interval: options.interval ?? DEFAULT_REFRESH_INTERVAL,
      standby: options.standby,
      active: false,
      idle: () => this.idle,
      request: () => this.fetch(),
      apply: items => this._setState({ kind: 'ready', items }),
      fail: error => this._setState(errorState(error))
    });
  }

  /** The current state. */
  get state(): SectionState<T> {
    return this._state;
  }

  /** Emitted whenever `state` changes. */
  get stateChanged(): ISignal<this, SectionState<T>> {
    return this._stateChanged;
  }

  /**
   * Whether the section is on screen. An inactive model does not poll; becoming
   * active fetches at once.
   */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
  }

  /** Seconds between polls (before any backoff), as configured; a change applies at once. */
  get interval(): number {
    return this._poller.interval;
  }
  set interval(seconds: number) {
    this._poller.interval = seconds;
  }

  /** Seconds between polls now: the interval, or less while something is live. */
  get pollInterval(): number {
    return this._poller.pollInterval;
  }

  /**
   * Poll every `seconds` (when shorter than the interval) while something the section
   * shows is changing, e.g. a job in progress; `null` goes back to the interval. Set it
   * when the state changes: the next tick already uses it.
   */
  protected set liveInterval(seconds: number | null) {
    this._poller.liveInterval = seconds;
  }

  /** Whether nothing the section shows changes now: it polls only when refreshed. */
  protected get idle(): boolean {
    return false;
  }

  get isDisposed(): boolean {
    return this._poller.isDisposed;
  }

  /**
   * Fetch now (if active) and resolve once the new state is set; a fetch in flight is
   * superseded (call it when what the section lists changes, e.g. its filter).
   */
  async refresh(): Promise<void> {
    await this._poller.refresh();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.dispose();
    Signal.clearData(this);
  }

  /** Fetch the section's items. Errors propagate to set the error states. */
  protected abstract fetch(): Promise<T[]>;

  private _setState(state: SectionState<T>): void {
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _poller: Poller<T[]>;
  private _state: SectionState<T> = { kind: 'loading' };
  private _stateChanged = new Signal<this, SectionState<T>>(this);
}

export namespace SectionModel {
  export interface IOptions {
    /** Names the poll, for debugging. */
    name: string;
    /** Seconds between polls; defaults to `DEFAULT_REFRESH_INTERVAL`. */
    interval?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}

function errorState<T>(error: unknown): SectionState<T> {
  if (error instanceof ServerExtensionMissingError) {
    return {
      kind: 'missing-extension',
      reason: error.reason,
      message: error.message
    };
  }
  if (error instanceof StudioApiError) {
    return { kind: 'error', message: error.message };
  }
  return {
    kind: 'error',
    message: error instanceof Error ? error.message : String(error)
  };
}
