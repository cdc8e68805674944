/**
 * The studio's artifact root, as the health route reports it: the views print the
 * URIs under it relative to it. Read once; the root does not change while the server
 * runs.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { getHealth } from '../api/health';

export class ArtifactRoot implements IDisposable {
  /** The root's URI (`file:///…/artifacts`, `s3://bucket/prefix`); null until read. */
  get uri(): string | null {
    return this._uri;
  }

  /** Emitted when the root has been read. */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  /**
   * Read the root unless it is known. Concurrent calls share one request; a failed
   * read (server extension missing, network) leaves it unknown, to read on the next
   * call, and never rejects: the views then print whole URIs.
   */
  load(): Promise<void> {
    if (this._uri !== null || this._isDisposed) {
      return Promise.resolve();
    }
    this._loading ??= getHealth()
      .then(health => {
        if (!this._isDisposed) {
          this._uri = health.ArtifactRoot.Uri;
          this._changed.emit(this._uri);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        this._loading = null;
      });
    return this._loading;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _changed = new Signal<this, string>(this);
  private _isDisposed = false;
  private _loading: Promise<void> | null = null;
  private _uri: string | null = null;
}
