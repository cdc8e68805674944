/**
 * The Tuning section: hyperparameter tuning jobs, newest first, filtered by status
 * on the server. While one is in progress the list polls every `LIVE_INTERVAL`
 * seconds, so its progress and best objective follow the search.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ITuningJob, listTuningJobs } from '../api/tuning';
import { JobStatus } from '../api/types';
import { LIVE_INTERVAL } from './jobs';
import { SectionModel } from './section';

export class TuningJobsModel extends SectionModel<ITuningJob> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'tuning-jobs', ...options });
    this.stateChanged.connect(this._onStateChanged, this);
  }

  /** Only tuning jobs in this status; '' for all. */
  get status(): JobStatus | '' {
    return this._status;
  }
  set status(value: JobStatus | '') {
    if (value === this._status) {
      return;
    }
    this._status = value;
    this._statusChanged.emit(value);
    void this.refresh();
  }

  /** Emitted when the status filter changes, before the jobs it lists are read. */
  get statusChanged(): ISignal<this, JobStatus | ''> {
    return this._statusChanged;
  }

  /** Whether a listed tuning job is in progress (the list then polls faster). */
  get live(): boolean {
    return this._live;
  }

  protected async fetch(): Promise<ITuningJob[]> {
    const answer = await listTuningJobs({
      StatusEquals: this._status || undefined,
      SortOrder: 'Descending'
    });
    return [...answer.HyperParameterTuningJobSummaries].sort(
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

  private _live = false;
  private _status: JobStatus | '' = '';
  private _statusChanged = new Signal<this, JobStatus | ''>(this);
}
