/**
 * The runs of one experiment in the sidebar: the first page at once (sorted and
 * filtered by name text and status on the server), the next pages as the list scrolls,
 * a tag filter over the loaded runs, and the runs picked for comparison. It polls only
 * while some run is in progress (or when asked to refresh).
 */
import { ISignal, Signal } from '@lumino/signaling';

import { listExperimentRuns } from '../api/experiments';
import { ITrialComponent, RunStatus } from '../api/types';
import { IPage, PagedSectionModel } from './paged';
import { SectionModel, SectionState } from './section';

/** What the list is sorted by: a run field, or the last value of a metric. */
export type RunSortKey = 'StartTime' | 'Name' | 'Status' | `metric:${string}`;

export interface IRunFilter {
  /** Text the run's name or display name contains (case-insensitive). */
  text: string;
  /** `key` (the run has the tag) or `key=value` (and its value contains `value`). */
  tag: string;
  /** Only runs in this status; '' for all. */
  status: RunStatus | '';
}

export interface IRunSort {
  key: RunSortKey;
  descending: boolean;
}

export const NO_FILTER: IRunFilter = { text: '', tag: '', status: '' };

/** How many runs the sidebar's first screen (and each further page) loads. */
export const RUNS_PAGE = 50;

/** The server's `SortBy` for a sidebar sort (the server does not sort by status). */
export function serverSortBy(key: RunSortKey): string {
  if (key === 'Name') {
    return 'Name';
  }
  if (key.startsWith('metric:')) {
    return `Metrics.${key.slice('metric:'.length)}.Last`;
  }
  return 'CreationTime';
}

export class RunsModel extends PagedSectionModel<ITrialComponent> {
  constructor(
    readonly experimentName: string,
    options: Partial<SectionModel.IOptions> & { pageSize?: number } = {}
  ) {
    super({
      name: `runs:${experimentName}`,
      pageSize: RUNS_PAGE,
      ...options
    });
    this.stateChanged.connect(this._update, this);
  }

  /** Emitted when the shown runs, the filter, the sort or the selection change. */
  get viewChanged(): ISignal<this, void> {
    return this._viewChanged;
  }

  /** Every loaded run, in the server's order. */
  get runs(): readonly ITrialComponent[] {
    return this.items;
  }

  /** The loaded runs that pass the tag filter, in the server's order. */
  get shown(): readonly ITrialComponent[] {
    return this._shown;
  }

  /** Whether any loaded run is in progress (the list then refreshes itself). */
  get inProgress(): boolean {
    return this._inProgress;
  }

  /** The metric names the loaded runs logged, sorted. */
  get metricNames(): readonly string[] {
    return this._metricNames;
  }

  /** Name text and status go to the server (from the first page again); tags filter the loaded runs. */
  get filter(): IRunFilter {
    return this._filter;
  }
  set filter(value: IRunFilter) {
    const old = this._filter;
    this._filter = { ...value };
    if (old.text.trim() !== value.text.trim() || old.status !== value.status) {
      this.restart();
    }
    this._update();
  }

  get sort(): IRunSort {
    return this._sort;
  }
  set sort(value: IRunSort) {
    this._sort = { ...value };
    this.restart();
    this._update();
  }

  /** The names of the runs picked for comparison. */
  get selected(): ReadonlySet<string> {
    return this._selected;
  }

  /** Pick or unpick a run. */
  toggle(name: string, on = !this._selected.has(name)): void {
    if (on) {
      this._selected.add(name);
    } else {
      this._selected.delete(name);
    }
    this._viewChanged.emit();
  }

  /** Pick every shown run, or none. */
  selectShown(on: boolean): void {
    if (on) {
      this._shown.forEach(run => this._selected.add(run.TrialComponentName));
    } else {
      this._selected.clear();
    }
    this._viewChanged.emit();
  }

  /**
   * Polls only while a run is in progress and no more than the first page is loaded
   * (refresh() fetches regardless).
   */
  protected get idle(): boolean {
    return this.state.kind === 'ready' && (!this._inProgress || this.paged);
  }

  protected async fetchPage(
    token: string | undefined,
    max: number
  ): Promise<IPage<ITrialComponent>> {
    const text = this._filter.text.trim();
    const page = await listExperimentRuns(this.experimentName, {
      SortBy: serverSortBy(this._sort.key),
      SortOrder: this._sort.descending ? 'Descending' : 'Ascending',
      NameContains: text || undefined,
      Status: this._filter.status || undefined,
      MaxResults: max,
      NextToken: token
    });
    return { items: page.TrialComponentSummaries, next: page.NextToken };
  }

  private _update(): void {
    const runs = this.runs;
    this._inProgress = runs.some(
      run => run.Status.PrimaryStatus === 'InProgress'
    );
    const names = new Set<string>();
    for (const run of runs) {
      run.Metrics?.forEach(metric => names.add(metric.MetricName));
    }
    this._metricNames = [...names].sort();
    this._shown = filterRuns(runs, { ...NO_FILTER, tag: this._filter.tag });
    this._viewChanged.emit();
  }

  private _filter: IRunFilter = NO_FILTER;
  private _inProgress = false;
  private _metricNames: string[] = [];
  private _selected = new Set<string>();
  private _shown: ITrialComponent[] = [];
  private _sort: IRunSort = { key: 'StartTime', descending: true };
  private _viewChanged = new Signal<this, void>(this);
}

/** The runs that pass `filter`. */
export function filterRuns(
  runs: readonly ITrialComponent[],
  filter: IRunFilter
): ITrialComponent[] {
  const text = filter.text.trim().toLowerCase();
  const [tagKey, tagValue] = splitTag(filter.tag);
  return runs.filter(run => {
    if (filter.status && run.Status.PrimaryStatus !== filter.status) {
      return false;
    }
    if (
      text &&
      !run.TrialComponentName.toLowerCase().includes(text) &&
      !(run.DisplayName ?? '').toLowerCase().includes(text)
    ) {
      return false;
    }
    if (tagKey) {
      const value = run.Tags?.[tagKey];
      if (value === undefined) {
        return false;
      }
      if (tagValue && !value.toLowerCase().includes(tagValue)) {
        return false;
      }
    }
    return true;
  });
}

function splitTag(tag: string): [string, string] {
  const at = tag.indexOf('=');
  return at < 0
    ? [tag.trim(), '']
    : [
        tag.slice(0, at).trim(),
        tag
          .slice(at + 1)
          .trim()
          .toLowerCase()
      ];
}

/** The last value of a metric of a run, if it logged it. */
export function lastValue(
  run: ITrialComponent,
  metric: string
): number | undefined {
  return run.Metrics?.find(m => m.MetricName === metric)?.Last;
}

/** A copy of `runs` in `sort` order; runs without the sorted value come last. */
export function sortRuns(
  runs: readonly ITrialComponent[],
  sort: IRunSort
): ITrialComponent[] {
  const value = (run: ITrialComponent): string | number | undefined => {
    switch (sort.key) {
      case 'Name':
        return (run.DisplayName || run.TrialComponentName).toLowerCase();
      case 'Status':
        return run.Status.PrimaryStatus;
      case 'StartTime':
        return Date.parse(run.StartTime ?? run.CreationTime) || undefined;
      default:
        return lastValue(run, sort.key.slice('metric:'.length));
    }
  };
  const keyed = runs.map(run => ({ run, key: value(run) }));
  const sign = sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) {
      return a.key === b.key ? 0 : a.key === undefined ? 1 : -1;
    }
    return a.key < b.key ? -sign : a.key > b.key ? sign : 0;
  });
  return keyed.map(entry => entry.run);
}

export type RunsState = SectionState<ITrialComponent>;
