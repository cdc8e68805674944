/**
 * The runs of a comparison (2 to 1,000): loaded once, with their columns and the
 * downsampled series of a metric, cached per metric.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  describeRun,
  getMetricChart,
  IRunSelection,
  listAllRuns
} from '../api/runs';
import { IChartSeries, ITrialComponent } from '../api/types';
import { IRunColumn, runColumns } from './columns';

/** The most runs a comparison takes. */
export const MAX_COMPARE = 1000;
/** Points per chart across all runs; each run gets a share (10 to 1,000). */
const POINT_BUDGET = 100_000;

export type CompareState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; runs: ITrialComponent[]; columns: IRunColumn[] };

export class CompareModel implements IDisposable {
  constructor(
    readonly runNames: string[],
    readonly experimentName?: string
  ) {
    this.runNames = runNames.slice(0, MAX_COMPARE);
  }

  get state(): CompareState {
    return this._state;
  }

  get stateChanged(): ISignal<this, CompareState> {
    return this._stateChanged;
  }

  /** The metric names of the compared runs, sorted. */
  get metricNames(): string[] {
    if (this._state.kind !== 'ready') {
      return [];
    }
    const names = new Set<string>();
    this._state.runs.forEach(run =>
      run.Metrics?.forEach(metric => names.add(metric.MetricName))
    );
    return [...names].sort();
  }

  /** Entries per run in a metric chart of this many runs. */
  get maxPoints(): number {
    const share = Math.floor(POINT_BUDGET / Math.max(1, this.runNames.length));
    return Math.max(10, Math.min(1000, share));
  }

  async load(): Promise<void> {
    try {
      let runs: ITrialComponent[];
      if (this.experimentName) {
        const all = await listAllRuns(this.experimentName);
        this._wholeExperiment = this.runNames.length >= all.length;
        const wanted = new Set(this.runNames);
        runs = all.filter(run => wanted.has(run.TrialComponentName));
      } else {
        runs = await Promise.all(this.runNames.map(describeRun));
      }
      this._set({ kind: 'ready', runs, columns: runColumns(runs) });
    } catch (error) {
      this._set({
        kind: 'error',
        message: error instanceof Error ? error.message : String(error)
      });
    }
  }

  /** The runs' series of a metric, downsampled on the server (cached). */
  series(metric: string): Promise<IChartSeries[]> {
    let answer = this._series.get(metric);
    if (!answer) {
      answer = getMetricChart(this._selection(), metric, this.maxPoints);
      answer.catch(() => this._series.delete(metric));
      this._series.set(metric, answer);
    }
    return answer;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** Every run of the experiment is asked for by name only when it is not all of it. */
  private _selection(): IRunSelection {
    return this._wholeExperiment && this.experimentName
      ? { experimentName: this.experimentName }
      : { runs: this.runNames };
  }

  private _set(state: CompareState): void {
    if (!this._isDisposed) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private _isDisposed = false;
  private _series = new Map<string, Promise<IChartSeries[]>>();
  private _state: CompareState = { kind: 'loading' };
  private _stateChanged = new Signal<this, CompareState>(this);
  private _wholeExperiment = false;
}
