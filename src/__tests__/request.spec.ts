import { ServerConnection } from '@jupyterlab/services';

import {
  requestAPI,
  ServerExtensionMissingError,
  StudioApiError
} from '../api/request';

describe('requestAPI', () => {
  let makeRequest: jest.SpyInstance;
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8899/lab-base/'
  });

  function answer(
    body: string,
    status = 200,
    contentType = 'application/json'
  ) {
    makeRequest.mockResolvedValue(
      new Response(body || null, {
        status,
        headers: { 'Content-Type': contentType }
      })
    );
  }

  /** The error a request rejects with (fails the test if it resolves). */
  function failure(promise: Promise<unknown>) {
    return promise.then(
      () => {
        throw new Error('The request resolved');
      },
      (error: Error & { reason?: string; code?: string }) => error
    );
  }

  beforeEach(() => {
    makeRequest = jest.spyOn(ServerConnection, 'makeRequest');
  });

  afterEach(() => {
    makeRequest.mockRestore();
  });

  it('returns the parsed JSON body and builds the URL with the query', async () => {
    answer('{"ExperimentSummaries": []}');
    const result = await requestAPI(
      'experiments',
      {},
      { NameContains: 'mnist', NextToken: undefined, MaxResults: 10 },
      settings
    );
    expect(result).toEqual({ ExperimentSummaries: [] });
    const [url, init] = makeRequest.mock.calls[0] as [string, RequestInit];
    // No cache-busting timestamp: the API rejects unknown query parameters.
    expect(init.cache).toBe('no-cache');
    expect(url).toBe(
      'http://localhost:8899/lab-base/mlstudio/api/experiments?NameContains=mnist&MaxResults=10'
    );
  });

  it('returns undefined for an empty body', async () => {
    answer('', 204);
    await expect(
      requestAPI('experiments/x', { method: 'DELETE' }, {}, settings)
    ).resolves.toBeUndefined();
  });

  it('throws a typed StudioApiError from the error body', async () => {
    answer(
      '{"code": "ValidationError", "message": "ExperimentName is required", "field": "ExperimentName"}',
      400
    );
    const error = await failure(requestAPI('experiments', {}, {}, settings));
    expect(error).toBeInstanceOf(StudioApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'ValidationError',
      message: 'ExperimentName is required',
      field: 'ExperimentName'
    });
  });

  it('treats a 404 with an API error body as a missing resource', async () => {
    answer('{"code": "ResourceNotFound", "message": "No experiment x"}', 404);
    const error = await failure(requestAPI('experiments/x', {}, {}, settings));
    expect(error).toBeInstanceOf(StudioApiError);
    expect(error).toMatchObject({ status: 404, code: 'ResourceNotFound' });
  });

  it('reports a missing server extension on a 404 that is not an API error', async () => {
    answer('<html><body>404: Not Found</body></html>', 404, 'text/html');
    const error = await failure(requestAPI('health', {}, {}, settings));
    expect(error).toBeInstanceOf(ServerExtensionMissingError);
    expect(error.reason).toBe('route-missing');
    expect(error.message).toMatch(/jupyter_mlstudio server extension/);
  });

  it('reports an unreachable server on a network error', async () => {
    makeRequest.mockRejectedValue(
      new ServerConnection.NetworkError(new TypeError('Failed to fetch'))
    );
    const error = await failure(requestAPI('health', {}, {}, settings));
    expect(error).toBeInstanceOf(ServerExtensionMissingError);
    expect(error.reason).toBe('unreachable');
  });

  it("keeps Jupyter's own error message for other statuses", async () => {
    answer('{"message": "Forbidden", "reason": "xsrf"}', 403);
    const error = await failure(requestAPI('health', {}, {}, settings));
    expect(error).toBeInstanceOf(StudioApiError);
    expect(error).toMatchObject({
      status: 403,
      code: 'xsrf',
      message: 'Forbidden'
    });
  });

  it('rejects a success response that is not JSON', async () => {
    answer('<html></html>', 200, 'text/html');
    const error = await failure(requestAPI('health', {}, {}, settings));
    expect(error).toBeInstanceOf(StudioApiError);
    expect(error.code).toBe('InvalidResponse');
  });
});
