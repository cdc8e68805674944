/**
 * Following one host's log of a job until the job ended and everything was sent.
 */
import { getJobLogs } from '../api/jobs';
import { JobKind } from '../api/types';
import { LogFollower } from './logFollower';

export { MAX_LOG_LINES } from './logFollower';

export class JobLog extends LogFollower {
  constructor(
    readonly kind: JobKind,
    readonly jobName: string,
    readonly host: string,
    options: LogFollower.IOptions = {}
  ) {
    super(
      `mlstudio:job-log:${jobName}:${host}`,
      offset => getJobLogs(kind, jobName, offset, host),
      options
    );
  }
}
