/**
 * The runs of one experiment in the sidebar: every run (paged from the server), a
 * filter (name, tag, status), a sort, and the runs picked for comparison. It polls
 * only while some run is in progress (or when asked to refresh).
 */
import { ISignal, Signal } from '@lumino/signaling';

import { listAllRuns } from '../api/runs';
import { ITrialComponent, RunStatus } from '../api/types';
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

export class RunsModel extends SectionModel<ITrialComponent> {
  constructor(
    readonly experimentName: string,
    options: Partial<SectionModel.IOptions> = {}
  ) {
    super({ name: `runs:${experimentName}`, ...options });
    this.stateChanged.connect(this._update, this);
  }

  /** Emitted when the shown runs, the filter, the sort or the selection change. */
  get viewChanged(): ISignal<this, void> {
    return this._viewChanged;
  }

  /** Every loaded run, in the server's order. */
  get runs(): readonly ITrialComponent[] {
    return this.state.kind === 'ready' ? this.state.items : [];
  }

  /** The runs that pass the filter, in sort order. */
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

  get filter(): IRunFilter {
    return this._filter;
  }
  set filter(value: IRunFilter) {
    this._filter = { ...value };
    this._update();
  }

  get sort(): IRunSort {
    return this._sort;
  }
  set sort(value: IRunSort) {
    this._sort = { ...value };
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

  /** Polls only while a run is in progress (refresh() fetches regardless). */
  protected get idle(): boolean {
    return this.state.kind === 'ready' && !this._inProgress;
  }

  protected async fetch(): Promise<ITrialComponent[]> {
    return listAllRuns(this.experimentName);
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
    const known = new Set(runs.map(run => run.TrialComponentName));
    this._selected.forEach(name => {
      if (!known.has(name) && this.state.kind === 'ready') {
        this._selected.delete(name);
      }
    });
    this._shown = sortRuns(filterRuns(runs, this._filter), this._sort);
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
