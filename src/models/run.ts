/**
 * One run for its main-area view: the run, the series of each of its metrics (polled
 * while the run is in progress), and previews of its artifacts.
 *
 * The series are every point (the job view's live charts) unless `chartPoints` is set:
 * then each is read downsampled from the charts route at that many entries (the run
 * view sets it from its charts' width), so a long series costs what a chart can show.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { describeRun, getMetricChart, getMetricSeries } from '../api/runs';
import { IChartSeries, IMetricPoint, ITrialComponent } from '../api/types';
import { RunArtifacts } from './artifacts';
import { DEFAULT_REFRESH_INTERVAL, Poller } from './poller';

export type RunState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | {
      kind: 'ready';
      run: ITrialComponent;
      /** Every point of each metric, by metric name (none when `chartPoints` is set). */
      series: Record<string, IMetricPoint[]>;
      /** Each metric downsampled, by metric name (only when `chartPoints` is set). */
      charts?: Record<string, IChartSeries>;
    };

/** What one poll reads: the run and its series. */
type RunAnswer = Omit<Extract<RunState, { kind: 'ready' }>, 'kind'>;

export class RunModel implements IDisposable {
  /**
   * @param name - the run (trial component)
   * @param interval - seconds between polls while the run is in progress
   */
  constructor(
    readonly name: string,
    interval = DEFAULT_REFRESH_INTERVAL,
    options: RunModel.IOptions = {}
  ) {
    this.artifacts = new RunArtifacts(name);
    this._poller = new Poller({
      name: `run:${name}`,
      interval,
      standby: options.standby,
      active: options.active,
      idle: () =>
        this._state.kind === 'ready' &&
        this._state.run.Status.PrimaryStatus !== 'InProgress',
      request: () => this._read(),
      apply: answer => this._set({ kind: 'ready', ...answer }),
      fail: error =>
        this._set({
          kind: 'error',
          message: error instanceof Error ? error.message : String(error)
        })
    });
  }

  /** The previews of the run's artifacts. */
  readonly artifacts: RunArtifacts;

  get state(): RunState {
    return this._state;
  }

  get stateChanged(): ISignal<this, RunState> {
    return this._stateChanged;
  }

  /**
   * Entries per metric to read from the charts route (downsampled); null reads every
   * point. Setting a new value reads the run again.
   */
  get chartPoints(): number | null {
    return this._chartPoints;
  }
  set chartPoints(value: number | null) {
    if (value === this._chartPoints) {
      return;
    }
    this._chartPoints = value;
    if (this._state.kind !== 'loading') {
      void this.refresh();
    }
  }

  /** Whether the view is on screen; the run is polled only while it is. */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
  }

  /** Load now (the view calls it when it opens and on its refresh button). */
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
    this.artifacts.dispose();
    Signal.clearData(this);
  }

  private async _read(): Promise<RunAnswer> {
    const run = await describeRun(this.name);
    const names = (run.Metrics ?? []).map(metric => metric.MetricName);
    const maxPoints = this._chartPoints;
    if (maxPoints !== null) {
      const charts: Record<string, IChartSeries> = {};
      const answers = await Promise.all(
        names.map(metric =>
          getMetricChart({ runs: [this.name] }, metric, maxPoints)
        )
      );
      answers.forEach((answer, i) => {
        if (answer.length) {
          charts[names[i]] = answer[0];
        }
      });
      return { run, series: {}, charts };
    }
    const answers = await Promise.all(
      names.map(metric => getMetricSeries(this.name, metric))
    );
    const series: Record<string, IMetricPoint[]> = {};
    answers.forEach((answer, i) => (series[names[i]] = answer.Points));
    return { run, series };
  }

  private _set(state: RunState): void {
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _chartPoints: number | null = null;
  private _poller: Poller<RunAnswer>;
  private _state: RunState = { kind: 'loading' };
  private _stateChanged = new Signal<this, RunState>(this);
}

export namespace RunModel {
  export interface IOptions {
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
    /** Whether the view starts on screen; defaults to true. */
    active?: boolean;
  }
}
