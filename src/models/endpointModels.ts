/**
 * The models of an endpoint's multi-model variants, for its view: read when the view
 * opens and again each time the endpoint's figures are read (so they follow the same
 * cadence, and stop with them when the view is off screen), kept only while a variant
 * is MultiModel.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  getEndpointModels,
  IEndpointModels,
  IVariantModels
} from '../api/endpointModels';
import { Poller } from './poller';

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

export class EndpointModelsModel implements IDisposable {
  constructor(readonly name: string) {
    this._poller = new Poller<IEndpointModels>({
      name: `endpoint-models:${name}`,
      interval: 60,
      // Read on `refresh()` only: the endpoint's figures drive it.
      idle: () => true,
      request: () => getEndpointModels(name),
      apply: answer => {
        this._answer = answer;
        this._error = null;
        this._changed.emit();
      },
      fail: error => {
        this._error = message(error);
        this._changed.emit();
      }
    });
  }

  /** Emitted when the models or the error change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Whether an answer came (before it the view shows nothing). */
  get loaded(): boolean {
    return this._answer !== null;
  }

  /** The multi-model variants (empty for an endpoint that has none). */
  get multiModelVariants(): IVariantModels[] {
    return (this._answer?.Variants ?? []).filter(
      variant => variant.Mode === 'MultiModel'
    );
  }

  /**
   * Whether reading again can show anything: before the first answer, and while a
   * variant is MultiModel (a configuration switch may add one: the view reads once
   * more when the endpoint's configuration changes).
   */
  get following(): boolean {
    return !this._answer || this.multiModelVariants.length > 0;
  }

  /** Why the last read failed, until one succeeds. */
  get error(): string | null {
    return this._error;
  }

  /** Read the models now. */
  async refresh(): Promise<void> {
    await this._poller.refresh();
  }

  get isDisposed(): boolean {
    return this._poller.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.dispose();
    Signal.clearData(this);
  }

  private _answer: IEndpointModels | null = null;
  private _changed = new Signal<this, void>(this);
  private _error: string | null = null;
  private _poller: Poller<IEndpointModels>;
}
