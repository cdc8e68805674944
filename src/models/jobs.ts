/**
 * The jobs section: training, processing and AutoML jobs, newest first, filtered by status
 * (on the server) and kind. While any listed job is in progress the list polls every
 * `LIVE_INTERVAL` seconds, so statuses and secondary statuses follow the job.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { listAutoMLJobs } from '../api/automl';
import { listJobs } from '../api/jobs';
import { IJobSummary, JobKind, JobStatus } from '../api/types';
import { SectionModel } from './section';

/** Seconds between polls while a job is in progress. */
export const LIVE_INTERVAL = 2;

export interface IJobFilter {
  /** Only jobs in this status; '' for all. */
  status: JobStatus | '';
  /** Only jobs of this kind; '' for all. */
  kind: JobKind | '';
}

export const ANY_JOB: IJobFilter = { status: '', kind: '' };

export class JobsModel extends SectionModel<IJobSummary> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'jobs', ...options });
    this.stateChanged.connect(this._onStateChanged, this);
  }

  get filter(): IJobFilter {
    return this._filter;
  }
  set filter(value: IJobFilter) {
    if (
      value.status === this._filter.status &&
      value.kind === this._filter.kind
    ) {
      return;
    }
    this._filter = { ...value };
    this._filterChanged.emit(this._filter);
    void this.refresh();
  }

  /** Emitted when the filter changes, before the jobs it lists are read. */
  get filterChanged(): ISignal<this, IJobFilter> {
    return this._filterChanged;
  }

  /** Whether a listed job is in progress (the list then polls faster). */
  get live(): boolean {
    return this._live;
  }

  protected async fetch(): Promise<IJobSummary[]> {
    const { status, kind } = this._filter;
    const StatusEquals = status || undefined;
    const [jobs, automl] = await Promise.all([
      listJobs({ StatusEquals }, kind || undefined),
      kind && kind !== 'AutoMLJob'
        ? { AutoMLJobSummaries: [] }
        : listAutoMLJobs({ StatusEquals, SortOrder: 'Descending' })
    ]);
    return [...jobs, ...automl.AutoMLJobSummaries].sort(
      (a, b) => Date.parse(b.CreationTime) - Date.parse(a.CreationTime)
    );
  }

  private _onStateChanged(): void {
    if (this.state.kind !== 'ready') {
      return;
    }
    this._live = this.state.items.some(
      job => job.Status === 'InProgress' || job.Status === 'Stopping'
    );
    this.liveInterval = this._live ? LIVE_INTERVAL : null;
  }

  private _filter: IJobFilter = ANY_JOB;
  private _filterChanged = new Signal<this, IJobFilter>(this);
  private _live = false;
}
