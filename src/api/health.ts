import { requestAPI } from './request';
import { IHealth } from './types';

/** The server's view of its store, artifact root and runtimes. */
export function getHealth(): Promise<IHealth> {
  return requestAPI<IHealth>('health');
}
