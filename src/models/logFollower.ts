/**
 * Following a growing log over a route that reads from an offset (job hosts, endpoint
 * instances): appends what came as lines (for `LogViewer`, at most `MAX_LOG_LINES`), and
 * polls again with the answer's `NextOffset` until the server says the log is complete.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { Poller } from './poller';

/** The most lines kept; older ones are dropped (the count says how many). */
export const MAX_LOG_LINES = 200_000;

/** A chunk this long probably has more behind it: read again at once. */
const FULL_CHUNK = 256 * 1024;

/** At most this many reads in one tick, so a huge log does not block the poll. */
const READS_PER_TICK = 8;

/** The longest wait between reads after errors, in seconds. */
const MAX_BACKOFF = 60;

/** One read of a log route: the text from an offset, where to go on, whether it ended. */
export interface ILogChunk {
  Text?: string;
  NextOffset?: number;
  Complete?: boolean;
}

export class LogFollower implements IDisposable {
  /**
   * @param name - the poll's name (unique per log on screen)
   * @param readChunk - reads the log from an offset
   */
  constructor(
    name: string,
    private readonly _readChunk: (offset: number) => Promise<ILogChunk>,
    options: LogFollower.IOptions = {}
  ) {
    this._poller = new Poller<ILogChunk>({
      name,
      interval: options.interval ?? 1,
      maxBackoff: MAX_BACKOFF,
      standby: options.standby,
      active: options.active,
      idle: () => this._complete,
      request: () => this._read(this._offset),
      apply: chunk => {
        this._append(chunk.Text ?? '');
        this._offset = chunk.NextOffset ?? this._offset;
        this._complete = !!chunk.Complete;
        this._loaded = true;
        this._error = null;
        this._emit();
      },
      fail: error => {
        this._error = error instanceof Error ? error.message : String(error);
        this._loaded = true;
        this._emit();
      }
    });
  }

  /** The lines read so far; the last one may still be growing. */
  get lines(): readonly string[] {
    return this._lines;
  }

  /** Counts changes, so views can tell a new state of the same array. */
  get version(): number {
    return this._version;
  }

  /** How many of the oldest lines were dropped to keep at most `MAX_LOG_LINES`. */
  get dropped(): number {
    return this._dropped;
  }

  /** The offset the next read starts at. */
  get offset(): number {
    return this._offset;
  }

  /** True once the server said nothing more will come. */
  get complete(): boolean {
    return this._complete;
  }

  /** Whether the first read is still pending. */
  get loading(): boolean {
    return !this._loaded;
  }

  /** The last read's error, until a read succeeds. */
  get error(): string | null {
    return this._error;
  }

  /** Emitted when lines arrive, the log completes, or a read fails. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Whether the log is on screen; it is read only while it is. */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
  }

  get isDisposed(): boolean {
    return this._poller.isDisposed;
  }

  /**
   * Read now (unless complete or inactive) and resolve once the read is done; a read
   * in flight is superseded, so no text is appended twice.
   */
  async refresh(): Promise<void> {
    if (this._complete) {
      return;
    }
    await this._poller.refresh();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.dispose();
    Signal.clearData(this);
  }

  /**
   * Read from `offset` while full chunks come (at most `READS_PER_TICK` reads), as one
   * chunk. When a later read fails, what came before is kept; the next tick fails then.
   */
  private async _read(offset: number): Promise<ILogChunk> {
    let text = '';
    let chunk: ILogChunk = {};
    for (let reads = 0; reads < READS_PER_TICK; reads++) {
      try {
        chunk = await this._readChunk(offset);
      } catch (error) {
        if (reads === 0) {
          throw error;
        }
        break;
      }
      text += chunk.Text ?? '';
      offset = chunk.NextOffset ?? offset;
      if (chunk.Complete || (chunk.Text ?? '').length < FULL_CHUNK) {
        return { Text: text, NextOffset: offset, Complete: chunk.Complete };
      }
    }
    return { Text: text, NextOffset: offset, Complete: false };
  }

  private _append(text: string): void {
    if (!text) {
      return;
    }
    const pieces = text.replace(/\r\n/g, '\n').split('\n');
    // After a final newline the split leaves an empty piece: no line is open then.
    const closed = pieces[pieces.length - 1] === '';
    if (closed) {
      pieces.pop();
    }
    if (this._open && pieces.length) {
      this._lines[this._lines.length - 1] += pieces.shift();
    }
    for (const piece of pieces) {
      this._lines.push(piece);
    }
    this._open = !closed;
    if (this._lines.length > MAX_LOG_LINES) {
      const extra = this._lines.length - MAX_LOG_LINES;
      this._lines.splice(0, extra);
      this._dropped += extra;
    }
  }

  private _emit(): void {
    this._version++;
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _complete = false;
  private _dropped = 0;
  private _error: string | null = null;
  private _lines: string[] = [];
  private _loaded = false;
  private _offset = 0;
  /** Whether the last line has no newline yet (the next chunk continues it). */
  private _open = false;
  private _poller: Poller<ILogChunk>;
  private _version = 0;
}

export namespace LogFollower {
  export interface IOptions {
    /** Seconds between reads while the log grows. */
    interval?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
    /** Whether the log starts on screen; defaults to true. */
    active?: boolean;
  }
}
