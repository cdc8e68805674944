/**
 * The runs of a comparison (2 to 1,000), from one experiment or several: loaded once,
 * with their columns, and the downsampled series of each metric, cached per metric and
 * resolution.
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
/** Bounds of the entries asked per run (the route takes 10 to 10,000). */
const MIN_POINTS = 10;
const MAX_POINTS = 1000;
/** Steps of `pointsForWidth`, so a small resize asks for nothing new. */
const POINTS_STEP = 50;
/** Chart width assumed before one is laid out (and in tests). */
export const DEFAULT_CHART_WIDTH = 800;

export type CompareState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; runs: ITrialComponent[]; columns: IRunColumn[] };

/** Runs of one experiment (or, without a name, runs described one by one). */
export interface ICompareGroup {
  experimentName?: string;
  runs: string[];
}

/**
 * The entries a run needs in a chart `width` pixels wide: one every 2 pixels, so a
 * line keeps every turn it can show; finer data only costs transfer and drawing.
 * Rounded up to a multiple of 50, so neighbouring widths share a cached answer.
 *
 * Args:
 *   width: The plot's width in CSS pixels.
 *
 * Returns:
 *   `MaxPoints` for the charts route, within 10 to 1,000.
 */
export function pointsForWidth(width: number): number {
  const half = (width > 0 ? width : DEFAULT_CHART_WIDTH) / 2;
  const fitted = Math.ceil(half / POINTS_STEP) * POINTS_STEP;
  return Math.max(MIN_POINTS, Math.min(MAX_POINTS, fitted));
}

export class CompareModel implements IDisposable {
  /**
   * Args:
   *   runNames: The runs first compared.
   *   experimentName: Their experiment, when they share one (one listing instead of a
   *     request a run).
   */
  constructor(runNames: string[], experimentName?: string) {
    this._groups = [
      { experimentName, runs: [...new Set(runNames)].slice(0, MAX_COMPARE) }
    ];
  }

  /** Every compared run's name, in the order the runs were added. */
  get runNames(): string[] {
    const names: string[] = [];
    this._groups.forEach(group => names.push(...group.runs));
    return [...new Set(names)];
  }

  /** The experiment the comparison was opened from, if any. */
  get experimentName(): string | undefined {
    return this._groups[0].experimentName;
  }

  /** The experiments the compared runs were added from, in order. */
  get experimentNames(): string[] {
    const names = this._groups
      .map(group => group.experimentName)
      .filter((name): name is string => !!name);
    return [...new Set(names)];
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

  /** Entries per run in a chart of the default width. */
  get maxPoints(): number {
    return pointsForWidth(DEFAULT_CHART_WIDTH);
  }

  /** Load the runs' summaries (the table); series are asked per chart afterwards. */
  async load(): Promise<void> {
    try {
      const runs: ITrialComponent[] = [];
      const seen = new Set<string>();
      for (const group of this._groups) {
        for (const run of await this._loadGroup(group)) {
          if (!seen.has(run.TrialComponentName)) {
            seen.add(run.TrialComponentName);
            runs.push(run);
          }
        }
      }
      this._set({ kind: 'ready', runs, columns: runColumns(runs) });
    } catch (error) {
      this._set({
        kind: 'error',
        message: error instanceof Error ? error.message : String(error)
      });
    }
  }

  /**
   * Add runs of another (or the same) experiment to the comparison and reload.
   *
   * Args:
   *   experimentName: The runs' experiment.
   *   runNames: The runs; none means every run of the experiment.
   *
   * Returns:
   *   How many runs were added (the comparison holds at most 1,000).
   */
  async addRuns(experimentName: string, runNames?: string[]): Promise<number> {
    const names =
      runNames ??
      (await listAllRuns(experimentName)).map(run => run.TrialComponentName);
    const have = new Set(this.runNames);
    const room = MAX_COMPARE - have.size;
    const added = [...new Set(names)]
      .filter(name => !have.has(name))
      .slice(0, Math.max(0, room));
    if (added.length === 0) {
      return 0;
    }
    this._groups.push({ experimentName, runs: added });
    this._series.clear();
    this._wholeExperiment = false;
    await this.load();
    return added.length;
  }

  /**
   * The runs' series of a metric, downsampled on the server (cached).
   *
   * Args:
   *   metric: The metric's name.
   *   maxPoints: Entries per run (see `pointsForWidth`).
   *
   * Returns:
   *   One series per run that logged the metric, in the runs' order.
   */
  series(metric: string, maxPoints = this.maxPoints): Promise<IChartSeries[]> {
    const key = `${maxPoints} ${metric}`;
    let answer = this._series.get(key);
    if (!answer) {
      // Lines draw each entry's last value: the other columns stay on the server.
      answer = getMetricChart(this._selection(), metric, maxPoints, ['Last']);
      answer.catch(() => this._series.delete(key));
      this._series.set(key, answer);
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

  private async _loadGroup(group: ICompareGroup): Promise<ITrialComponent[]> {
    if (!group.experimentName) {
      return Promise.all(group.runs.map(describeRun));
    }
    const all = await listAllRuns(group.experimentName);
    if (this._groups.length === 1) {
      this._wholeExperiment = group.runs.length >= all.length;
    }
    const wanted = new Set(group.runs);
    return all.filter(run => wanted.has(run.TrialComponentName));
  }

  /** A whole single experiment is asked for by its name, other selections by run. */
  private _selection(): IRunSelection {
    const experimentName = this.experimentName;
    return this._wholeExperiment && this._groups.length === 1 && experimentName
      ? { experimentName }
      : { runs: this.runNames };
  }

  private _set(state: CompareState): void {
    if (!this._isDisposed) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private _groups: ICompareGroup[];
  private _isDisposed = false;
  private _series = new Map<string, Promise<IChartSeries[]>>();
  private _state: CompareState = { kind: 'loading' };
  private _stateChanged = new Signal<this, CompareState>(this);
  private _wholeExperiment = false;
}
