/**
 * Following the log of one instance of an endpoint variant (while it starts and serves)
 * until the instance stopped.
 */
import { getEndpointLogs } from '../api/endpoints';
import { LogFollower } from './logFollower';

export class EndpointLog extends LogFollower {
  constructor(
    readonly endpointName: string,
    readonly variant: string,
    readonly host: string,
    options: LogFollower.IOptions = {}
  ) {
    super(
      `mlstudio:endpoint-log:${endpointName}:${variant}:${host}`,
      offset => getEndpointLogs(endpointName, variant, host, offset),
      options
    );
  }
}
