/**
 * The one polling base of the models: a lumino `Poll` with the studio's frequency
 * policy and a guard against stale answers. Every model that reads from the server
 * (the sidebar sections, the run, job and endpoint views, the log follower) holds one.
 *
 * - Frequency: a request every `interval` seconds (the refresh-interval setting), or
 *   every `liveInterval` seconds while something changes; after errors the wait grows
 *   (lumino's backoff) up to `maxBackoff` seconds; an answer returns to the interval.
 * - Standby: no request while the owner is inactive (its view off screen), while the
 *   page is hidden (`standby: 'when-hidden'`), or while `idle()` says nothing changes
 *   (a job that ended, a complete log). `refresh()` still requests when idle or hidden,
 *   never when inactive; becoming active requests at once.
 * - Stale answers: each request is numbered, and `refresh()` supersedes the one in
 *   flight. An answer (or error) reaches `apply` (or `fail`) only when no newer request
 *   was issued since and the poller is not disposed, so an older answer never lands
 *   after a newer one, nor after the model's subject changed (the model calls
 *   `refresh()` then) or the model was disposed.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';

/** The default refresh interval, in seconds (see schema/plugin.json). */
export const DEFAULT_REFRESH_INTERVAL = 5;

/** The default longest wait between requests while backing off, in seconds. */
export const MAX_BACKOFF = 300;

/** The shortest wait between requests, in seconds. */
const MIN_INTERVAL = 0.01;

export class Poller<T> implements IDisposable {
  constructor(options: Poller.IOptions<T>) {
    this._idle = options.idle ?? (() => false);
    this._standby = options.standby ?? 'when-hidden';
    this._active = options.active ?? true;
    this._interval = options.interval ?? DEFAULT_REFRESH_INTERVAL;
    this._maxBackoff = options.maxBackoff ?? MAX_BACKOFF;
    this._poll = new Poll({
      name: `mlstudio:${options.name}`,
      factory: async () => {
        // One request: its answer goes to `apply` (its error to `fail`) unless stale.
        const tick = this._poll.tick;
        const generation = this._begin();
        let answer: T;
        try {
          answer = await options.request();
        } catch (error) {
          if (this._land(generation)) {
            options.fail?.(error);
          }
          this._backOff(tick, error);
          throw error; // lets the poll back off (unless scheduled above)
        }
        if (this._land(generation)) {
          options.apply(answer);
        }
      },
      frequency: this._frequency(),
      standby: () => this._standsBy()
    });
    // The constructor raises `max` to at least lumino's default (30 s): set it again.
    this._poll.frequency = this._frequency();
  }

  /**
   * Whether the owner is on screen. An inactive poller sends no request, and
   * `refresh()` does nothing; becoming active requests at once.
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

  /** Seconds between requests (before any backoff), as configured. */
  get interval(): number {
    return this._interval;
  }
  set interval(seconds: number) {
    if (seconds === this._interval) {
      return;
    }
    this._interval = seconds;
    if (this._applyFrequency() && this._active) {
      // A pending tick keeps the old delay: request now so the new one applies at once.
      void this.refresh();
    }
  }

  /**
   * Seconds between requests while something the owner shows is changing (e.g. a job
   * in progress), when shorter than the interval; `null` goes back to the interval.
   * Set from `apply`, the next tick already uses it.
   */
  get liveInterval(): number | null {
    return this._liveInterval;
  }
  set liveInterval(seconds: number | null) {
    this._liveInterval = seconds;
    this._applyFrequency();
  }

  /** Seconds between requests now (before any backoff). */
  get pollInterval(): number {
    return this._poll.frequency.interval / 1000;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /**
   * Request now, even when idle or the page is hidden, unless inactive. A request in
   * flight is superseded: its answer is dropped.
   *
   * @returns a promise that resolves once a request issued after the call was applied
   * (or failed), or at once when the poller is inactive or disposed; it never rejects.
   */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const superseded = ++this._generation;
    if (!this._active) {
      return;
    }
    this._forced = true;
    await this._poll.schedule({ phase: 'refreshed', interval: Poll.IMMEDIATE });
    while (!this.isDisposed && this._active && this._settled <= superseded) {
      try {
        await this._poll.tick;
      } catch {
        return; // disposed meanwhile
      }
    }
  }

  dispose(): void {
    this._poll.dispose();
  }

  /**
   * Lumino grows the wait after an error from the failed tick's own wait; after an
   * immediate tick (the start, a refresh) that is 0, and the retries would come at
   * once. Then the first retry waits the interval (the next grow from there).
   */
  private _backOff(tick: Promise<unknown>, error: unknown): void {
    const { interval } = this._poll.frequency;
    if (this._poll.tick === tick && this._poll.state.interval < interval) {
      void this._poll.schedule({ interval, phase: 'rejected', payload: error });
    }
  }

  /** Number a new request; it is the newest from now on. */
  private _begin(): number {
    this._forced = false;
    return ++this._generation;
  }

  /**
   * Whether the answer (or error) of request `generation` may land: it is still the
   * newest and the poller is not disposed.
   */
  private _land(generation: number): boolean {
    if (this.isDisposed || generation !== this._generation) {
      return false;
    }
    this._settled = generation;
    return true;
  }

  private _standsBy(): boolean | Poll.Standby {
    if (!this._active) {
      return true;
    }
    if (this._forced) {
      return false;
    }
    return this._idle() ? true : this._standby;
  }

  /** Set the poll's frequency; true when its interval changed. */
  private _applyFrequency(): boolean {
    const next = this._frequency();
    if (next.interval === this._poll.frequency.interval) {
      return false;
    }
    this._poll.frequency = next;
    return true;
  }

  private _frequency() {
    const seconds =
      this._liveInterval === null
        ? this._interval
        : Math.min(this._interval, this._liveInterval);
    const interval = Math.round(Math.max(MIN_INTERVAL, seconds) * 1000);
    return {
      interval,
      backoff: true,
      max: Math.max(interval, Math.round(this._maxBackoff * 1000))
    };
  }

  private _active: boolean;
  /** Whether the next tick was asked for by `refresh()` (it ignores idle and hidden). */
  private _forced = false;
  /** The number of the newest request (or of the last `refresh()`). */
  private _generation = 0;
  private _idle: () => boolean;
  private _interval: number;
  private _liveInterval: number | null = null;
  private _maxBackoff: number;
  private _poll: Poll;
  /** The number of the last request whose answer or error landed. */
  private _settled = 0;
  private _standby: Poll.Standby;
}

export namespace Poller {
  export interface IOptions<T> {
    /** Names the poll, for debugging (prefixed with `mlstudio:`). */
    name: string;
    /** Reads from the server. */
    request: () => Promise<T>;
    /** Takes an answer that is not stale. */
    apply: (answer: T) => void;
    /** Takes the error of a request that is not stale; the poll then backs off. */
    fail?: (error: unknown) => void;
    /** Seconds between requests; defaults to `DEFAULT_REFRESH_INTERVAL`. */
    interval?: number;
    /** The longest wait after errors, in seconds; defaults to `MAX_BACKOFF`. */
    maxBackoff?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
    /** Whether nothing changes now: the poller stands by until `refresh()`. */
    idle?: () => boolean;
    /** Whether the owner starts on screen; defaults to true. */
    active?: boolean;
  }
}
