/**
 * The search view's model: the expression, the names completion offers, and the
 * results (100 a page, more on demand) with the rows the user selected.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { search, searchNames } from '../api/search';
import { ExpressionError, IParsedSearch, parseSearch } from './expression';
import { ISearchNames } from './completion';

/** One result row: a run as Search's `TrialComponent` shape gives it. */
export interface ISearchRun {
  TrialComponentName: string;
  DisplayName?: string;
  Status?: { PrimaryStatus?: string };
  CreationTime?: string;
  Parents?: { TrialName: string; ExperimentName: string }[];
  Parameters?: Record<string, { NumberValue?: number; StringValue?: string }>;
  Metrics?: {
    MetricName: string;
    Max?: number;
    Min?: number;
    Last?: number;
    Avg?: number;
    Count?: number;
    StdDev?: number;
  }[];
  Tags?: { Key: string; Value: string }[];
}

export type SearchState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'invalid'; error: ExpressionError }
  | { kind: 'error'; message: string }
  | {
      kind: 'results';
      parsed: IParsedSearch;
      runs: ISearchRun[];
      total: number;
      nextToken: string | null;
      loadingMore: boolean;
    };

/** Results a page. */
export const PAGE_SIZE = 100;

export class SearchModel {
  private _state: SearchState = { kind: 'idle' };
  private _names: ISearchNames = { Parameters: [], Metrics: [], Tags: [] };
  private _selected = new Set<string>();
  private _active = false;
  private _disposed = false;
  private _generation = 0;
  private readonly _stateChanged = new Signal<this, void>(this);

  /** The expression last searched. */
  text = '';

  get state(): SearchState {
    return this._state;
  }

  /** The names completion offers. */
  get names(): ISearchNames {
    return this._names;
  }

  get selected(): ReadonlySet<string> {
    return this._selected;
  }

  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  get active(): boolean {
    return this._active;
  }

  set active(value: boolean) {
    this._active = value;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Load the names completion offers. */
  async refresh(): Promise<void> {
    try {
      this._names = await searchNames('ExperimentTrialComponent');
    } catch {
      return; // completion is a help: the box works without it
    }
    this._emit();
  }

  /**
   * Search: parse the expression (an error shows where it is wrong) and load the
   * first page.
   */
  async run(text: string): Promise<void> {
    this.text = text;
    let parsed: IParsedSearch;
    try {
      parsed = parseSearch(text);
    } catch (error) {
      if (error instanceof ExpressionError) {
        this._set({ kind: 'invalid', error });
        return;
      }
      throw error;
    }
    const generation = ++this._generation;
    this._selected = new Set();
    this._set({ kind: 'loading' });
    try {
      const answer = await search(request(parsed, null));
      if (generation !== this._generation) {
        return;
      }
      this._set({
        kind: 'results',
        parsed,
        runs: answer.Results.map(r => r.TrialComponent as ISearchRun),
        total: answer.TotalHits.Value,
        nextToken: answer.NextToken ?? null,
        loadingMore: false
      });
    } catch (error) {
      if (generation === this._generation) {
        this._set({ kind: 'error', message: (error as Error).message });
      }
    }
  }

  /** Load the next page of results. */
  async more(): Promise<void> {
    const state = this._state;
    if (state.kind !== 'results' || !state.nextToken || state.loadingMore) {
      return;
    }
    const generation = this._generation;
    this._set({ ...state, loadingMore: true });
    try {
      const answer = await search(request(state.parsed, state.nextToken));
      if (generation !== this._generation) {
        return;
      }
      this._set({
        ...state,
        runs: [
          ...state.runs,
          ...answer.Results.map(r => r.TrialComponent as ISearchRun)
        ],
        nextToken: answer.NextToken ?? null,
        loadingMore: false
      });
    } catch (error) {
      this._set({ kind: 'error', message: (error as Error).message });
    }
  }

  /** Select or unselect a result. */
  toggle(name: string): void {
    if (this._selected.has(name)) {
      this._selected.delete(name);
    } else {
      this._selected.add(name);
    }
    this._emit();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    Signal.clearData(this);
  }

  private _set(state: SearchState): void {
    this._state = state;
    this._emit();
  }

  private _emit(): void {
    if (!this._disposed) {
      this._stateChanged.emit();
    }
  }
}

function request(parsed: IParsedSearch, token: string | null) {
  return {
    Resource: 'ExperimentTrialComponent' as const,
    SearchExpression: parsed.expression as Record<string, unknown>,
    SortBy: parsed.sortBy ?? firstMetric(parsed) ?? 'LastModifiedTime',
    SortOrder: parsed.sortOrder ?? 'Descending',
    MaxResults: PAGE_SIZE,
    NextToken: token
  };
}

/** A search on a metric sorts by it (best first) unless it says otherwise. */
function firstMetric(parsed: IParsedSearch): string | undefined {
  return parsed.properties.find(p => p.startsWith('Metrics.'));
}

/**
 * A run's value of a property the expression uses, as text for a cell.
 *
 * @param run - The result.
 * @param property - SageMaker's name (`Metrics.accuracy.Max`, `Parameters.lr`, ...).
 */
export function valueOf(run: ISearchRun, property: string): string {
  const [head, ...rest] = property.split('.');
  if (head === 'Metrics') {
    const stats = ['Max', 'Min', 'Last', 'Avg', 'Count', 'StdDev'];
    const last = rest[rest.length - 1];
    const stat = rest.length > 1 && stats.includes(last) ? last : 'Last';
    const name =
      stat === last && rest.length > 1
        ? rest.slice(0, -1).join('.')
        : rest.join('.');
    const metric = run.Metrics?.find(m => m.MetricName === name);
    const value = metric?.[stat as 'Max'];
    return value === undefined || value === null ? '' : formatNumber(value);
  }
  if (head === 'Parameters') {
    const value = run.Parameters?.[rest.join('.')];
    if (!value) {
      return '';
    }
    return (
      value.StringValue ??
      (value.NumberValue !== undefined ? formatNumber(value.NumberValue) : '')
    );
  }
  if (head === 'Tags') {
    return run.Tags?.find(t => t.Key === rest.join('.'))?.Value ?? '';
  }
  return '';
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) {
    return String(value);
  }
  const text = value.toPrecision(4);
  return text.includes('e')
    ? text
    : text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}
