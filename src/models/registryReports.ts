/**
 * The files a model version's metrics point at (an evaluation report's S3Uri), read
 * when the UI can reach them: a file a job or a run published under the studio's
 * artifact root (through the job's or run's artifact route), or a file under the
 * Jupyter server's root (through Jupyter's contents API). Any other URI (another
 * bucket, a folder outside the root) is shown as it is. A report read is kept: the
 * same URI is read once (again after a failure, on demand or after a while).
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { readJobFile, readRunFile, readServerFile } from '../api/registry';
import { StudioApiError } from '../api/request';

/** How the UI reads a report, when it can. */
export type ReportLocation =
  | { kind: 'job'; job: string; path: string }
  | { kind: 'run'; run: string; path: string }
  | { kind: 'server-file'; path: string };

/** One number of a report, e.g. accuracy 0.91 (± its standard deviation). */
export interface IReportMetric {
  /** The metric's name: the key that holds it (`accuracy`). */
  name: string;
  /** Where it is in the report (`binary_classification_metrics.accuracy`). */
  path: string;
  value: number;
  standardDeviation?: number;
}

/** What is known of one report. */
export type ReportState =
  | { kind: 'loading' }
  | {
      kind: 'ready';
      text: string;
      /** The parsed JSON; undefined when the file is not JSON. */
      json: unknown;
      metrics: IReportMetric[];
    }
  /** The UI has no route to this URI: it is shown as it is. */
  | { kind: 'unreachable' }
  | { kind: 'error'; message: string };

/** Seconds after which a report that could not be read is read again. */
export const REPORT_RETRY_AFTER = 60;

/** The most characters of a report kept and shown. */
export const MAX_REPORT_CHARS = 200_000;

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** `file:///a/b%20c` → `/a/b c`; null for other schemes. */
function filePath(uri: string): string | null {
  const match = /^file:\/\/(?:localhost)?(\/.*)$/.exec(uri);
  return match ? decodePath(match[1]) : null;
}

/**
 * How the UI reads `uri`, or null when it cannot.
 *
 * @param artifactRoot - the studio's artifact root URI (null while unknown).
 * @param serverRoot - the Jupyter server's root folder, absolute ('' when unknown).
 */
export function reportLocation(
  uri: string,
  artifactRoot: string | null,
  serverRoot: string
): ReportLocation | null {
  const root = artifactRoot?.replace(/\/+$/, '');
  if (root && uri.startsWith(`${root}/`)) {
    const parts = uri
      .slice(root.length + 1)
      .split('/')
      .map(part => (root.startsWith('file:') ? decodePath(part) : part));
    // jobs/<job>/output/<file>: a training or processing job's published file
    if (parts[0] === 'jobs' && parts[2] === 'output' && parts.length > 3) {
      return { kind: 'job', job: parts[1], path: parts.slice(3).join('/') };
    }
    // runs/<run>/<generation>/<file>: a file the run logged
    if (parts[0] === 'runs' && parts.length > 3) {
      return { kind: 'run', run: parts[1], path: parts.slice(3).join('/') };
    }
  }
  const path = filePath(uri);
  const relative = path === null ? null : underServerRoot(path, serverRoot);
  return relative ? { kind: 'server-file', path: relative } : null;
}

/** A home folder, as Jupyter shortens it to `~` in the server root it reports. */
const HOME = '(?:/root|/home/[^/]+|/Users/[^/]+)';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `path` relative to the Jupyter server's root, or null when it is not under it. A root
 * under the home folder comes as `~/…`: it matches under any usual home folder.
 */
export function underServerRoot(
  path: string,
  serverRoot: string
): string | null {
  const base = serverRoot.replace(/\/+$/, '');
  if (base.startsWith('/')) {
    return path.startsWith(`${base}/`) ? path.slice(base.length + 1) : null;
  }
  if (base.startsWith('~/')) {
    const match = new RegExp(`^${HOME}${escapeRegExp(base.slice(1))}/`).exec(
      path
    );
    return match ? path.slice(match[0].length) : null;
  }
  return null;
}

/** Read a report from where `reportLocation` says. */
export async function readReport(location: ReportLocation): Promise<string> {
  switch (location.kind) {
    case 'server-file':
      return readServerFile(location.path);
    case 'run':
      return readRunFile(location.run, location.path);
    case 'job':
      // A processing job's output (`<OutputName>/<file>`), else a training job's file.
      try {
        return await readJobFile(
          'processing-jobs',
          location.job,
          location.path
        );
      } catch (error) {
        if (error instanceof StudioApiError && error.status === 404) {
          return readJobFile('training-jobs', location.job, location.path);
        }
        throw error;
      }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number, or a number written as a string ("0.91"); else undefined. */
function numberOf(value: unknown): number | undefined {
  const number =
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number)
    ? number
    : undefined;
}

/**
 * The numbers of a report. SageMaker's evaluation reports hold each metric as
 * `{"value": …, "standard_deviation": …}` under a group (`binary_classification_metrics`);
 * when a report has such metrics they are its numbers, else every number in it is (up
 * to `limit`). Lists (curves, matrices) are left out.
 */
export function reportMetrics(json: unknown, limit = 50): IReportMetric[] {
  const valued: IReportMetric[] = [];
  const plain: IReportMetric[] = [];
  const walk = (node: unknown, path: string[], depth: number) => {
    if (!isObject(node) || depth > 6 || valued.length >= limit) {
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      const at = [...path, key];
      const number = numberOf(child);
      if (typeof child === 'number' && number !== undefined) {
        plain.push({ name: key, path: at.join('.'), value: number });
      } else if (isObject(child) && numberOf(child.value) !== undefined) {
        const deviation = numberOf(child.standard_deviation);
        valued.push({
          name: key,
          path: at.join('.'),
          value: numberOf(child.value)!,
          ...(deviation !== undefined ? { standardDeviation: deviation } : {})
        });
      } else {
        walk(child, at, depth + 1);
      }
    }
  };
  walk(json, [], 0);
  return (valued.length ? valued : plain).slice(0, limit);
}

/** A report's state from its text: parsed when it is JSON. */
export function parseReport(text: string): ReportState {
  const kept =
    text.length > MAX_REPORT_CHARS ? text.slice(0, MAX_REPORT_CHARS) : text;
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // shown as text
  }
  return {
    kind: 'ready',
    text: kept,
    json,
    metrics: json === undefined ? [] : reportMetrics(json)
  };
}

/** The reports a view shows, read once per URI and kept. */
export class ReportStore implements IDisposable {
  /**
   * @param artifactRoot - answers the studio's artifact root URI (null when unknown).
   * @param serverRoot - the Jupyter server's root folder ('' when unknown).
   */
  constructor(
    private _artifactRoot: () => Promise<string | null>,
    private _serverRoot: string
  ) {}

  /** Emitted when a report's state changes. */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  /** What is known of the report at `uri` (null: never asked for). */
  get(uri: string): ReportState | null {
    return this._reports.get(uri)?.state ?? null;
  }

  /**
   * Read the report at `uri` unless it was read, is being read, or failed less than
   * `REPORT_RETRY_AFTER` seconds ago (`force` reads a failed one at once).
   */
  async load(uri: string, force = false): Promise<void> {
    const known = this._reports.get(uri);
    if (known) {
      const failed = known.state.kind === 'error';
      const stale = Date.now() - known.at > REPORT_RETRY_AFTER * 1000;
      if (!failed || (!force && !stale)) {
        return;
      }
    }
    const location = reportLocation(
      uri,
      await this._artifactRoot(),
      this._serverRoot
    );
    if (this._isDisposed || this._reports.get(uri)?.state.kind === 'loading') {
      return;
    }
    if (!location) {
      this._set(uri, { kind: 'unreachable' });
      return;
    }
    this._set(uri, { kind: 'loading' });
    let state: ReportState;
    try {
      state = parseReport(await readReport(location));
    } catch (error) {
      state = {
        kind: 'error',
        message: error instanceof Error ? error.message : String(error)
      };
    }
    if (!this._isDisposed) {
      this._set(uri, state);
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _set(uri: string, state: ReportState): void {
    this._reports.set(uri, { state, at: Date.now() });
    this._changed.emit(uri);
  }

  private _changed = new Signal<this, string>(this);
  private _isDisposed = false;
  private _reports = new Map<string, { state: ReportState; at: number }>();
}
