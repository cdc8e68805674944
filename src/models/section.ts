/**
 * The state, signal and polling shared by the sidebar sections: each section model
 * fetches one list from the API, keeps it fresh with a `Poll` (backing off on errors,
 * on standby while the section or the page is hidden) and says when it changed.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ServerExtensionMissingError, StudioApiError } from '../api/request';

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

/** The default refresh interval, in seconds (see schema/plugin.json). */
export const DEFAULT_REFRESH_INTERVAL = 5;

/** The longest wait between polls while backing off after errors, in seconds. */
const MAX_BACKOFF = 300;

export abstract class SectionModel<T> implements IDisposable {
  constructor(options: SectionModel.IOptions) {
    this._standby = options.standby ?? 'when-hidden';
    this._interval = options.interval ?? DEFAULT_REFRESH_INTERVAL;
    this._poll = new Poll({
      name: `mlstudio:${options.name}`,
      factory: () => this._load(),
      frequency: frequency(this._interval),
      standby: () =>
        !this._active ||
        (typeof this._standby === 'function' ? this._standby() : this._standby)
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
    return this._active;
  }
  set active(value: boolean) {
    if (value === this._active) {
      return;
    }
    this._active = value;
    if (value) {
      void this.refresh();
    }
  }

  /** Seconds between polls (before any backoff), as configured. */
  get interval(): number {
    return this._interval;
  }
  set interval(seconds: number) {
    if (seconds === this._interval) {
      return;
    }
    this._interval = seconds;
    if (this._applyFrequency() && this._active) {
      // A pending tick keeps the old delay: poll now so the new one applies at once.
      void this.refresh();
    }
  }

  /** Seconds between polls now: the interval, or less while something is live. */
  get pollInterval(): number {
    return this._poll.frequency.interval / 1000;
  }

  /**
   * Poll every `seconds` (when shorter than the interval) while something the section
   * shows is changing, e.g. a job in progress; `null` goes back to the interval. Set it
   * from `fetch()`: the next tick already uses it.
   */
  protected set liveInterval(seconds: number | null) {
    this._liveInterval = seconds;
    this._applyFrequency();
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Fetch now (if active) and resolve once the new state is set. */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    await this._poll.refresh();
    await this._poll.tick;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** Fetch the section's items. Errors propagate to set the error states. */
  protected abstract fetch(): Promise<T[]>;

  private async _load(): Promise<void> {
    const generation = ++this._generation;
    try {
      const items = await this.fetch();
      if (generation === this._generation) {
        this._setState({ kind: 'ready', items });
      }
    } catch (error) {
      if (generation === this._generation) {
        this._setState(errorState(error));
      }
      throw error; // lets the poll back off
    }
  }

  /** Set the poll's frequency; true when it changed. */
  private _applyFrequency(): boolean {
    const seconds =
      this._liveInterval === null
        ? this._interval
        : Math.min(this._interval, this._liveInterval);
    const next = frequency(seconds);
    if (next.interval === this._poll.frequency.interval) {
      return false;
    }
    this._poll.frequency = next;
    return true;
  }

  private _setState(state: SectionState<T>): void {
    if (this.isDisposed) {
      return;
    }
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _active = false;
  private _generation = 0;
  private _interval: number;
  private _liveInterval: number | null = null;
  private _poll: Poll;
  private _standby: SectionModel.Standby;
  private _state: SectionState<T> = { kind: 'loading' };
  private _stateChanged = new Signal<this, SectionState<T>>(this);
}

export namespace SectionModel {
  export interface IOptions {
    /** Names the poll, for debugging. */
    name: string;
    /** Seconds between polls; defaults to `DEFAULT_REFRESH_INTERVAL`. */
    interval?: number;
    /** When to stand by besides being inactive; defaults to 'when-hidden'. */
    standby?: Standby;
  }

  /** A standby setting, or a function the poll asks before each tick. */
  export type Standby = Poll.Standby | (() => boolean | Poll.Standby);
}

function frequency(seconds: number) {
  const interval = Math.max(1, seconds) * 1000;
  return {
    interval,
    backoff: true,
    max: Math.max(interval, MAX_BACKOFF * 1000)
  };
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
