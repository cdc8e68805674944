/**
 * Following the log of one instance of an endpoint variant: reads the logs route from an
 * offset, appends what came as lines (for `LogViewer`), and polls with the answer's
 * `NextOffset` until the server says the log is complete (the instance stopped).
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { getEndpointLogs } from '../api/endpoints';
import { MAX_LOG_LINES } from './jobLog';

export class EndpointLog implements IDisposable {
  constructor(
    readonly endpointName: string,
    readonly variant: string,
    readonly host: string,
    options: EndpointLog.IOptions = {}
  ) {
    this._poll = new Poll({
      name: `mlstudio:endpoint-log:${endpointName}:${variant}:${host}`,
      factory: () => this._read(),
      frequency: {
        interval: (options.interval ?? 1) * 1000,
        backoff: true,
        max: 60_000
      },
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

  get complete(): boolean {
    return this._complete;
  }

  get loading(): boolean {
    return !this._loaded;
  }

  /** The last read's error, until a read succeeds. */
  get error(): string | null {
    return this._error;
  }

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
      const chunk = await getEndpointLogs(
        this.endpointName,
        this.variant,
        this.host,
        this._offset
      );
      if (this.isDisposed) {
        return;
      }
      this._append(chunk.Text ?? '');
      this._offset = chunk.NextOffset ?? this._offset;
      this._complete = !!chunk.Complete;
      this._error = null;
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      this._error = error instanceof Error ? error.message : String(error);
      throw error; // lets the poll back off
    } finally {
      if (!this.isDisposed) {
        this._loaded = true;
        this._version++;
        this._changed.emit();
      }
    }
  }

  private _append(text: string): void {
    if (!text) {
      return;
    }
    const pieces = text.replace(/\r\n/g, '\n').split('\n');
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

  private _changed = new Signal<this, void>(this);
  private _complete = false;
  private _dropped = 0;
  private _error: string | null = null;
  private _lines: string[] = [];
  private _loaded = false;
  private _offset = 0;
  private _open = false;
  private _poll: Poll;
  private _version = 0;
}

export namespace EndpointLog {
  export interface IOptions {
    /** Seconds between reads while the log grows. */
    interval?: number;
    /** When to stand by besides being complete; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}
