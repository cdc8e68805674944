import { ISignal, Signal } from '@lumino/signaling';

import { deleteExperiment, listExperiments } from '../api/experiments';
import { IExperimentSummary } from '../api/types';
import { IPage, PagedSectionModel } from './paged';
import { RunsModel } from './runs';
import { SectionModel } from './section';

/** How many experiments the sidebar lists first (and loads with each further page). */
export const EXPERIMENTS_PAGE = 100;

/**
 * The experiments section: newest first, filtered by a name search, a page at a time
 * (the next as the list scrolls to its end); an experiment expands to its runs (one
 * `RunsModel` each, polling only while expanded).
 */
export class ExperimentsModel extends PagedSectionModel<IExperimentSummary> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'experiments', pageSize: EXPERIMENTS_PAGE, ...options });
    this._options = options;
    this.stateChanged.connect(this._syncRuns, this);
  }

  /** The name filter, sent to the server as `NameContains`. */
  get nameContains(): string {
    return this._nameContains;
  }
  set nameContains(value: string) {
    const trimmed = value.trim();
    if (trimmed === this._nameContains) {
      return;
    }
    this._nameContains = trimmed;
    this.restart();
  }

  /** Emitted when an experiment expands or collapses. */
  get expandedChanged(): ISignal<this, string> {
    return this._expandedChanged;
  }

  /** The runs of an experiment, when it is expanded. */
  runs(name: string): RunsModel | undefined {
    return this._runs.get(name);
  }

  isExpanded(name: string): boolean {
    return this._runs.has(name);
  }

  /** Expand (load and show the runs of) or collapse an experiment. */
  setExpanded(name: string, expanded: boolean): void {
    if (expanded === this.isExpanded(name)) {
      return;
    }
    if (expanded) {
      const runs = new RunsModel(name, {
        interval: this.interval,
        ...this._options
      });
      this._runs.set(name, runs);
      runs.active = this.active;
    } else {
      this._runs.get(name)?.dispose();
      this._runs.delete(name);
    }
    this._expandedChanged.emit(name);
  }

  /** Delete an experiment (with its trials and runs) and refresh the list. */
  async delete(name: string): Promise<void> {
    await deleteExperiment(name);
    this.setExpanded(name, false);
    await this.refresh();
  }

  get active(): boolean {
    return super.active;
  }
  set active(value: boolean) {
    super.active = value;
    this._runs.forEach(runs => (runs.active = value));
  }

  get interval(): number {
    return super.interval;
  }
  set interval(seconds: number) {
    super.interval = seconds;
    this._runs?.forEach(runs => (runs.interval = seconds));
  }

  dispose(): void {
    this._runs.forEach(runs => runs.dispose());
    this._runs.clear();
    super.dispose();
  }

  /** Polls while only the first page is loaded (a refresh fetches regardless). */
  protected get idle(): boolean {
    return this.state.kind === 'ready' && this.paged;
  }

  protected async fetchPage(
    token: string | undefined,
    max: number
  ): Promise<IPage<IExperimentSummary>> {
    const response = await listExperiments({
      NameContains: this._nameContains || undefined,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: max,
      NextToken: token
    });
    return { items: response.ExperimentSummaries, next: response.NextToken };
  }

  /** Refresh an expanded experiment's runs when its run count changes. */
  private _syncRuns(): void {
    if (this.state.kind !== 'ready') {
      return;
    }
    for (const experiment of this.state.items) {
      const runs = this._runs.get(experiment.ExperimentName);
      const count = this._counts.get(experiment.ExperimentName);
      this._counts.set(
        experiment.ExperimentName,
        experiment.TrialComponentCount
      );
      if (
        runs &&
        count !== undefined &&
        count !== experiment.TrialComponentCount
      ) {
        void runs.refresh();
      }
    }
  }

  private _counts = new Map<string, number>();
  private _expandedChanged = new Signal<this, string>(this);
  private _nameContains = '';
  private _options: Partial<SectionModel.IOptions>;
  private _runs = new Map<string, RunsModel>();
}
