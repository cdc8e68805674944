import { listJobs } from '../api/jobs';
import { IJobSummary } from '../api/types';
import { SectionModel } from './section';

/** The jobs section: training and processing jobs, newest first. */
export class JobsModel extends SectionModel<IJobSummary> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'jobs', ...options });
  }

  protected fetch(): Promise<IJobSummary[]> {
    return listJobs();
  }
}
