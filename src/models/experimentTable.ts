/**
 * The experiment view's table: every run of one experiment, sorted and filtered on the
 * server (name text, status, parameter and metric ranges) and loaded a page at a time,
 * the columns the user chose (remembered per experiment), and the runs picked for
 * comparison.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { listExperimentRuns } from '../api/experiments';
import { ITrialComponent, RunStatus } from '../api/types';
import { IPage, PagedSectionModel } from './paged';
import { DEFAULT_REFRESH_INTERVAL } from './section';

/** The summary of a metric a column shows (and the server sorts by). */
export type MetricStat = 'Last' | 'Min' | 'Max' | 'Avg';
export const METRIC_STATS: MetricStat[] = ['Last', 'Min', 'Max', 'Avg'];

/** The server's sort keys: `CreationTime`, `Name`, `Parameters.<p>`, `Metrics.<m>.<stat>`. */
export type TableSortKey = string;

export interface ITableSort {
  key: TableSortKey;
  descending: boolean;
}

/** Runs whose value of `key` (a parameter or metric column) lies in [min, max]. */
export interface IRange {
  key: string;
  min?: number;
  max?: number;
}

export interface ITableFilter {
  text: string;
  status: RunStatus | '';
  ranges: IRange[];
}

/** Which parameter and metric columns show; a metric shows one summary. */
export interface IColumnChoice {
  parameters: string[];
  metrics: Record<string, MetricStat>;
}

/** How many runs a page of the table holds. */
export const TABLE_PAGE = 100;
/** How many parameters and metrics show before the user chooses. */
const DEFAULT_COLUMNS = 6;
const STORAGE_PREFIX = 'jupyter_mlstudio:experiment-columns:';

export class ExperimentTableModel extends PagedSectionModel<ITrialComponent> {
  constructor(
    readonly experimentName: string,
    options: ExperimentTableModel.IOptions = {}
  ) {
    super({
      name: `experiment:${experimentName}`,
      pageSize: options.pageSize ?? TABLE_PAGE,
      interval: options.interval ?? DEFAULT_REFRESH_INTERVAL,
      standby: options.standby
    });
    this._storage = options.storage ?? safeLocalStorage();
    this._stored = this._readColumns();
    this.stateChanged.connect(this._update, this);
  }

  /** Emitted when the columns, the filter, the sort or the selection change. */
  get viewChanged(): ISignal<this, void> {
    return this._viewChanged;
  }

  /** The parameter names and metric names of the loaded runs, sorted. */
  get parameterNames(): readonly string[] {
    return this._parameterNames;
  }
  get metricNames(): readonly string[] {
    return this._metricNames;
  }

  /** The columns on show: the stored choice, or the first few of each kind. */
  get columns(): IColumnChoice {
    if (this._stored) {
      return this._stored;
    }
    const metrics: Record<string, MetricStat> = {};
    this._metricNames
      .slice(0, DEFAULT_COLUMNS)
      .forEach(name => (metrics[name] = 'Last'));
    return {
      parameters: this._parameterNames.slice(0, DEFAULT_COLUMNS),
      metrics
    };
  }
  /** Choose the columns; remembered for this experiment. */
  set columns(value: IColumnChoice) {
    this._stored = {
      parameters: [...value.parameters],
      metrics: { ...value.metrics }
    };
    try {
      this._storage?.setItem(
        STORAGE_PREFIX + this.experimentName,
        JSON.stringify(this._stored)
      );
    } catch {
      // a full or disabled storage only forgets the choice
    }
    this._viewChanged.emit();
  }

  get sort(): ITableSort {
    return this._sort;
  }
  set sort(value: ITableSort) {
    this._sort = { ...value };
    this.restart();
    this._viewChanged.emit();
  }

  /** Sort by `key`: descending first, the same key again flips the order. */
  sortBy(key: TableSortKey): void {
    this.sort =
      this._sort.key === key
        ? { key, descending: !this._sort.descending }
        : { key, descending: key !== 'Name' };
  }

  get filter(): ITableFilter {
    return this._filter;
  }
  set filter(value: ITableFilter) {
    this._filter = { ...value, ranges: [...value.ranges] };
    this.restart();
    this._viewChanged.emit();
  }

  /** The names of the runs picked for comparison. */
  get selected(): ReadonlySet<string> {
    return this._selected;
  }

  toggle(name: string, on = !this._selected.has(name)): void {
    if (on) {
      this._selected.add(name);
    } else {
      this._selected.delete(name);
    }
    this._viewChanged.emit();
  }

  /** Pick every loaded run, or none. */
  selectLoaded(on: boolean): void {
    if (on) {
      this.items.forEach(run => this._selected.add(run.TrialComponentName));
    } else {
      this._selected.clear();
    }
    this._viewChanged.emit();
  }

  /** Polls only while a loaded run is in progress and only the first page is loaded. */
  protected get idle(): boolean {
    return (
      this.state.kind === 'ready' &&
      (this.paged ||
        !this.items.some(run => run.Status.PrimaryStatus === 'InProgress'))
    );
  }

  protected async fetchPage(
    token: string | undefined,
    max: number
  ): Promise<IPage<ITrialComponent>> {
    const { text, status, ranges } = this._filter;
    const page = await listExperimentRuns(this.experimentName, {
      SortBy: this._sort.key,
      SortOrder: this._sort.descending ? 'Descending' : 'Ascending',
      NameContains: text.trim() || undefined,
      Status: status || undefined,
      Ranges: ranges.length
        ? JSON.stringify(
            ranges.map(r => ({ Key: r.key, Min: r.min, Max: r.max }))
          )
        : undefined,
      MaxResults: max,
      NextToken: token
    });
    return { items: page.TrialComponentSummaries, next: page.NextToken };
  }

  private _update(): void {
    const parameters = new Set(this._parameterNames);
    const metrics = new Set(this._metricNames);
    for (const run of this.items) {
      Object.keys(run.Parameters ?? {}).forEach(p => parameters.add(p));
      run.Metrics?.forEach(m => metrics.add(m.MetricName));
    }
    this._parameterNames = [...parameters].sort();
    this._metricNames = [...metrics].sort();
    this._viewChanged.emit();
  }

  private _readColumns(): IColumnChoice | null {
    try {
      const raw = this._storage?.getItem(STORAGE_PREFIX + this.experimentName);
      const value = raw ? JSON.parse(raw) : null;
      if (
        value &&
        Array.isArray(value.parameters) &&
        typeof value.metrics === 'object'
      ) {
        return value as IColumnChoice;
      }
    } catch {
      // an unreadable choice is no choice
    }
    return null;
  }

  private _filter: ITableFilter = { text: '', status: '', ranges: [] };
  private _metricNames: string[] = [];
  private _parameterNames: string[] = [];
  private _selected = new Set<string>();
  private _sort: ITableSort = { key: 'CreationTime', descending: true };
  private _storage: Storage | null;
  private _stored: IColumnChoice | null;
  private _viewChanged = new Signal<this, void>(this);
}

export namespace ExperimentTableModel {
  export interface IOptions {
    pageSize?: number;
    interval?: number;
    standby?: 'never' | 'when-hidden';
    /** Where the column choice is kept; defaults to `window.localStorage`. */
    storage?: Storage | null;
  }
}

/** A parameter's value or a metric's summary in a run, by column key. */
export function cellValue(
  run: ITrialComponent,
  key: string
): number | string | undefined {
  if (key.startsWith('Parameters.')) {
    const value = run.Parameters?.[key.slice('Parameters.'.length)];
    return value === null ? undefined : value;
  }
  if (key.startsWith('Metrics.')) {
    const rest = key.slice('Metrics.'.length);
    const at = rest.lastIndexOf('.');
    const metric = run.Metrics?.find(m => m.MetricName === rest.slice(0, at));
    const stat = rest.slice(at + 1) as MetricStat;
    return metric?.[stat] ?? undefined;
  }
  return undefined;
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}
