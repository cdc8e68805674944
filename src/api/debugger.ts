/**
 * A training job's Debugger and profiler: the tensors its hook saved, one tensor over
 * steps, its hosts' profiler samples and the ProfilerReport's HTML.
 */
import { ServerConnection } from '@jupyterlab/services';

import { apiUrl, requestAPI } from './request';
import type { Schemas } from './types';

/** A tensor the hook saved: its collections, how many steps and its shape. */
export type ITensorSummary = Schemas['TensorSummaryBody'];
export type ITensorsResponse = Schemas['TensorsResponse'];
/** One tensor over steps: a scalar's Values, an array's Mean/Min/Max/Norm. */
export type ITensorSeries = Schemas['TensorSeriesResponse'];
/** One host's profiler samples: timestamps and a series per figure. */
export type IHostProfile = Schemas['HostProfileBody'];
export type IProfile = Schemas['ProfilerResponse'];
/** The modes a hook saves steps in (smdebug's ModeKeys). */
export type TensorMode = 'TRAIN' | 'EVAL' | 'PREDICT' | 'GLOBAL';

const base = (job: string) => `training-jobs/${encodeURIComponent(job)}`;

/** The tensors a training job's hook saved, across its hosts. */
export function listTensors(job: string): Promise<ITensorsResponse> {
  return requestAPI<ITensorsResponse>(`${base(job)}/debugger/tensors`);
}

/** One saved tensor over steps (only `mode`'s steps when given). */
export function getTensor(
  job: string,
  tensor: string,
  mode?: TensorMode
): Promise<ITensorSeries> {
  return requestAPI<ITensorSeries>(
    `${base(job)}/debugger/tensors/${encodeURIComponent(tensor)}`,
    {},
    { mode }
  );
}

/** The job's profiler samples per host, only those taken after `since` when given. */
export function getProfile(job: string, since?: number): Promise<IProfile> {
  return requestAPI<IProfile>(`${base(job)}/profiler`, {}, { since });
}

/**
 * The URL of the job's ProfilerReport (HTML); the session cookie authenticates it, so
 * it opens in a browser tab.
 */
export function profilerReportUrl(
  job: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return apiUrl(settings, `${base(job)}/profiler/report`);
}
