import { listExperiments } from '../api/experiments';
import { IExperimentSummary } from '../api/types';
import { SectionModel } from './section';

/** The most experiments the sidebar lists at once. */
const PAGE_SIZE = 100;

/** The experiments section: newest first, filtered by a name search. */
export class ExperimentsModel extends SectionModel<IExperimentSummary> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'experiments', ...options });
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
    void this.refresh();
  }

  protected async fetch(): Promise<IExperimentSummary[]> {
    const response = await listExperiments({
      NameContains: this._nameContains || undefined,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: PAGE_SIZE
    });
    return response.ExperimentSummaries;
  }

  private _nameContains = '';
}
