/**
 * The one request helper of the frontend: every call to the ML Studio REST API goes
 * through `requestAPI`, which is also the single seam tests replace.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IApiErrorBody } from './types';

/** The URL prefix of the server extension's routes, below the server's base URL. */
export const API_PREFIX = 'mlstudio/api';

/** A query parameter's value; a list repeats the parameter once per item. */
export type QueryValue =
  string | number | boolean | null | undefined | readonly (string | number)[];

/** Query parameters; `undefined`, `null` and empty-string values are left out. */
export type Query = Record<string, QueryValue>;

/**
 * An error the ML Studio API reported: a 4xx/5xx status with the server's
 * `{code, message, field?}` body (or a best-effort stand-in when the body is not JSON).
 */
export class StudioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string
  ) {
    super(message);
    this.name = 'StudioApiError';
  }
}

/**
 * The ML Studio server extension does not answer: its routes are absent (a 404 that is
 * not an API error body), or the Jupyter server cannot be reached at all.
 */
export class ServerExtensionMissingError extends Error {
  constructor(
    readonly reason: 'route-missing' | 'unreachable',
    message?: string
  ) {
    super(
      message ??
        (reason === 'unreachable'
          ? 'The Jupyter server cannot be reached.'
          : 'The jupyter_mlstudio server extension is not enabled.')
    );
    this.name = 'ServerExtensionMissingError';
  }
}

/** Build the full URL of an API path such as `experiments/my-exp`. */
export function apiUrl(
  settings: ServerConnection.ISettings,
  path: string,
  query: Query = {}
): string {
  const params: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item !== undefined && item !== null && item !== '') {
        params.push(
          `${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`
        );
      }
    }
  }
  const search = params.length ? `?${params.join('&')}` : '';
  return URLExt.join(settings.baseUrl, API_PREFIX, path) + search;
}

/** Fetch options of `requestAPI`. */
export interface IRequestInit extends RequestInit {
  /**
   * Answer the response as it is (`IRawResponse`: status, headers, text) instead of
   * parsing JSON, for routes whose body is whatever the caller sent or a model
   * answered (an endpoint's invocations). Error statuses still throw.
   */
  raw?: boolean;
}

/** A successful response of a `raw` request. */
export interface IRawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Call the ML Studio API and return the parsed JSON body (or, with `init.raw`, the
 * response as an `IRawResponse`).
 *
 * @param path - the route below `mlstudio/api`, already URI-encoded per segment.
 * @param init - fetch options; a `body` object is sent as JSON.
 * @throws {StudioApiError} when the API answers with an error status.
 * @throws {ServerExtensionMissingError} when the routes are absent or the server is down.
 */
export async function requestAPI<T>(
  path: string,
  init: IRequestInit = {},
  query: Query = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = apiUrl(settings, path, query);
  const { raw, ...options } = init;
  // ServerConnection's default `cache: 'no-store'` appends a bare timestamp to the
  // query as a cache buster, which the API rejects as an unknown parameter;
  // 'no-cache' still revalidates every response with the server.
  init = { cache: 'no-cache', ...options };
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerExtensionMissingError(
      'unreachable',
      `The Jupyter server cannot be reached: ${(error as Error).message}`
    );
  }
  const text = await response.text();
  const body = parseJson(text);
  if (!response.ok) {
    throw toError(response, body);
  }
  if (raw) {
    const answer: IRawResponse = {
      status: response.status,
      headers: response.headers,
      text
    };
    return answer as T;
  }
  if (text.length === 0) {
    return undefined as T;
  }
  if (body === undefined) {
    throw new StudioApiError(
      response.status,
      'InvalidResponse',
      `The server sent a response that is not JSON (${url}).`
    );
  }
  return body as T;
}

/**
 * Fetch a raw (non-JSON) response of the ML Studio API, such as a run's artifact file.
 *
 * @throws {StudioApiError} when the API answers with an error status.
 * @throws {ServerExtensionMissingError} when the routes are absent or the server is down.
 */
export async function requestBlob(
  path: string,
  query: Query = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Blob> {
  const url = apiUrl(settings, path, query);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { cache: 'no-cache' },
      settings
    );
  } catch (error) {
    throw new ServerExtensionMissingError(
      'unreachable',
      `The Jupyter server cannot be reached: ${(error as Error).message}`
    );
  }
  if (!response.ok) {
    throw toError(response, parseJson(await response.text()));
  }
  return response.blob();
}

/** Send `data` as a JSON body with the given method. */
export function jsonInit(method: string, data: unknown): RequestInit {
  return {
    method,
    body: JSON.stringify(data),
    headers: { 'Content-Type': 'application/json' }
  };
}

function parseJson(text: string): unknown {
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isApiErrorBody(body: unknown): body is IApiErrorBody {
  const value = body as Partial<IApiErrorBody> | null | undefined;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.code === 'string' &&
    typeof value.message === 'string'
  );
}

function toError(response: Response, body: unknown): Error {
  if (isApiErrorBody(body)) {
    return new StudioApiError(
      response.status,
      body.code,
      body.message,
      typeof body.field === 'string' ? body.field : undefined
    );
  }
  if (response.status === 404) {
    // Not our error body: no handler answered the route.
    return new ServerExtensionMissingError('route-missing');
  }
  // Jupyter's own error pages/bodies, e.g. `{"message": ..., "reason": ...}` on 403.
  const plain = body as { message?: unknown; reason?: unknown } | undefined;
  const message =
    (plain && typeof plain.message === 'string' && plain.message) ||
    response.statusText ||
    `Request failed with status ${response.status}`;
  const code =
    plain && typeof plain.reason === 'string' && plain.reason
      ? plain.reason
      : `Http${response.status}`;
  return new StudioApiError(response.status, code, message);
}
