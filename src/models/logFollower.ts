/**
 * Following a growing log over a route that reads from an offset (job hosts, endpoint
 * instances): appends what came as lines (for `LogViewer`, at most `MAX_LOG_LINES`), and
 * polls again with the answer's `NextOffset` until the server says the log is complete.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

/** The most lines kept; older ones are dropped (the count says how many). */
export const MAX_LOG_LINES = 200_000;

/** A chunk this long probably has more behind it: read again at once. */
const FULL_CHUNK = 256 * 1024;

/** At most this many reads in one tick, so a huge log does not block the poll. */
const READS_PER_TICK = 8;

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
    const interval = (options.interval ?? 1) * 1000;
    this._poll = new Poll({
      name,
      factory: () => this._read(),
      frequency: { interval, backoff: true, max: 60_000 },
      standby: () =>
        this._complete ? true : (options.standby ?? 'when-hidden')
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

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Read now (unless complete) and resolve once the read is done. */
  async refresh(): Promise<void> {
    if (this.isDisposed || this._complete) {
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

  private async _read(): Promise<void> {
    try {
      for (let reads = 0; reads < READS_PER_TICK && !this._complete; reads++) {
        const chunk = await this._readChunk(this._offset);
        if (this.isDisposed) {
          return;
        }
        this._append(chunk.Text ?? '');
        this._offset = chunk.NextOffset ?? this._offset;
        this._complete = !!chunk.Complete;
        this._loaded = true;
        this._error = null;
        this._emit();
        if ((chunk.Text ?? '').length < FULL_CHUNK) {
          break;
        }
      }
    } catch (error) {
      if (!this.isDisposed) {
        this._error = error instanceof Error ? error.message : String(error);
        this._loaded = true;
        this._emit();
      }
      throw error; // lets the poll back off
    }
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
  private _poll: Poll;
  private _version = 0;
}

export namespace LogFollower {
  export interface IOptions {
    /** Seconds between reads while the log grows. */
    interval?: number;
    /** When to stand by besides being complete; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}
