/**
 * One run for its main-area view: the run, the full series of each of its metrics,
 * polled while the run is in progress.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { describeRun, getMetricSeries } from '../api/runs';
import { IMetricPoint, ITrialComponent } from '../api/types';
import { DEFAULT_REFRESH_INTERVAL } from './section';

export type RunState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | {
      kind: 'ready';
      run: ITrialComponent;
      /** Every point of each metric, by metric name. */
      series: Record<string, IMetricPoint[]>;
    };

export class RunModel implements IDisposable {
  constructor(
    readonly name: string,
    interval = DEFAULT_REFRESH_INTERVAL
  ) {
    this._poll = new Poll({
      name: `mlstudio:run:${name}`,
      factory: () => this._load(),
      frequency: { interval: interval * 1000, backoff: true, max: 300_000 },
      standby: () =>
        this._state.kind === 'ready' &&
        this._state.run.Status.PrimaryStatus !== 'InProgress'
          ? true
          : 'when-hidden'
    });
  }

  get state(): RunState {
    return this._state;
  }

  get stateChanged(): ISignal<this, RunState> {
    return this._stateChanged;
  }

  /** Load now (the view calls it when it opens and on its refresh button). */
  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // the state says what went wrong
    }
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    try {
      const run = await describeRun(this.name);
      const names = (run.Metrics ?? []).map(metric => metric.MetricName);
      const answers = await Promise.all(
        names.map(metric => getMetricSeries(this.name, metric))
      );
      const series: Record<string, IMetricPoint[]> = {};
      answers.forEach((answer, i) => (series[names[i]] = answer.Points));
      this._set({ kind: 'ready', run, series });
    } catch (error) {
      this._set({
        kind: 'error',
        message: error instanceof Error ? error.message : String(error)
      });
      throw error;
    }
  }

  private _set(state: RunState): void {
    if (!this.isDisposed) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private _poll: Poll;
  private _state: RunState = { kind: 'loading' };
  private _stateChanged = new Signal<this, RunState>(this);
}
