/**
 * The endpoint configurations the studio has, for the endpoint view's configuration
 * switch. They are listed when asked (the view opens, the endpoint changes
 * configuration, the list gets the focus), not polled.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IEndpointConfig, listEndpointConfigs } from '../api/endpoints';
import { Poller } from './poller';

/** The most configurations listed. */
export const MAX_CONFIGS = 100;

export type EndpointConfigsState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; configs: IEndpointConfig[] };

export class EndpointConfigsModel implements IDisposable {
  constructor(options: EndpointConfigsModel.IOptions = {}) {
    this._poller = new Poller({
      name: 'endpoint-configs',
      standby: options.standby,
      active: options.active,
      idle: () => true,
      request: () => listEndpointConfigs({ MaxResults: MAX_CONFIGS }),
      apply: answer =>
        this._set({ kind: 'ready', configs: answer.EndpointConfigs }),
      fail: error =>
        this._set({
          kind: 'error',
          message: error instanceof Error ? error.message : String(error)
        })
    });
  }

  get state(): EndpointConfigsState {
    return this._state;
  }

  get stateChanged(): ISignal<this, EndpointConfigsState> {
    return this._stateChanged;
  }

  /** Whether the view is on screen; listing waits until it is. */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
  }

  /**
   * List the configurations again. A listing that is shown stays meanwhile; after an
   * error the state goes back to loading.
   */
  async refresh(): Promise<void> {
    if (this._state.kind === 'error') {
      this._set({ kind: 'loading' });
    }
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

  private _set(state: EndpointConfigsState): void {
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _poller: Poller<Awaited<ReturnType<typeof listEndpointConfigs>>>;
  private _state: EndpointConfigsState = { kind: 'loading' };
  private _stateChanged = new Signal<this, EndpointConfigsState>(this);
}

export namespace EndpointConfigsModel {
  export interface IOptions {
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
    /** Whether the view starts on screen; defaults to true. */
    active?: boolean;
  }
}
