import { ServerConnection } from '@jupyterlab/services';

import { IRawResponse, requestAPI, StudioApiError } from '../api/request';

describe('requestAPI with raw', () => {
  let makeRequest: jest.SpyInstance;
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8899/'
  });

  beforeEach(() => {
    makeRequest = jest.spyOn(ServerConnection, 'makeRequest');
  });
  afterEach(() => makeRequest.mockRestore());

  it('sends the body as it is and answers status, headers and text', async () => {
    makeRequest.mockResolvedValue(
      new Response('1\n0\n', {
        status: 200,
        headers: {
          'Content-Type': 'text/csv',
          'X-Amzn-Invoked-Production-Variant': 'blue'
        }
      })
    );
    const answer = await requestAPI<IRawResponse>(
      'endpoints/e/invocations',
      {
        method: 'POST',
        body: '1,2\n3,4',
        headers: { 'Content-Type': 'text/csv' },
        raw: true
      },
      {},
      settings
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('1\n0\n');
    expect(answer.headers.get('X-Amzn-Invoked-Production-Variant')).toBe(
      'blue'
    );
    const [url, init] = makeRequest.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(
      'http://localhost:8899/mlstudio/api/endpoints/e/invocations'
    );
    expect(init.body).toBe('1,2\n3,4');
    expect(init.cache).toBe('no-cache');
    // The option is the helper's, not fetch's.
    expect('raw' in init).toBe(false);
  });

  it('still throws the API error of an error status', async () => {
    makeRequest.mockResolvedValue(
      new Response(
        '{"code": "ModelError", "message": "the model answered 500: boom"}',
        { status: 424 }
      )
    );
    const error = await requestAPI(
      'endpoints/e/invocations',
      { method: 'POST', body: 'x', raw: true },
      {},
      settings
    ).catch(e => e);
    expect(error).toBeInstanceOf(StudioApiError);
    expect(error).toMatchObject({ status: 424, code: 'ModelError' });
  });

  it('answers JSON as before without it', async () => {
    makeRequest.mockResolvedValue(new Response('{"a": 1}', { status: 200 }));
    await expect(requestAPI('x', {}, {}, settings)).resolves.toEqual({ a: 1 });
  });
});
