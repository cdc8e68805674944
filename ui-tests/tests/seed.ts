/** Seeding experiments, runs, metrics and artifacts through the REST API. */
import { expect } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';

export const API = '/mlstudio/api';

/** A REST call that must succeed; its JSON answer. */
export async function api<T = any>(
  request: APIRequestContext,
  method: 'get' | 'post' | 'put' | 'patch' | 'delete',
  route: string,
  data?: unknown
): Promise<T> {
  const response = await request[method](`${API}/${route}`, { data });
  const text = await response.text();
  expect(response.status(), `${method} ${route}: ${text}`).toBeLessThan(300);
  return text ? JSON.parse(text) : (undefined as T);
}

/** Poll `read` until `done` holds (or fail after `timeout` ms). */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeout = 120_000
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (Date.now() - start > timeout) {
      throw new Error(`Timed out; last: ${JSON.stringify(value)}`);
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

/** A fresh experiment with one trial (deleted first if it exists). */
export async function freshExperiment(
  request: APIRequestContext,
  name: string,
  displayName?: string
): Promise<string> {
  const existing = await request.get(`${API}/experiments/${name}`);
  if (existing.ok()) {
    await request.delete(`${API}/experiments/${name}`);
  }
  await api(request, 'post', 'experiments', {
    ExperimentName: name,
    DisplayName: displayName,
    Tags: { team: 'ui-tests' }
  });
  const trial = `${name}-trial`;
  await api(request, 'post', 'trials', {
    TrialName: trial,
    ExperimentName: name
  });
  return trial;
}

export interface IRunSeed {
  name: string;
  status?: string;
  parameters?: Record<string, number | string>;
  tags?: Record<string, string>;
  /** metric name → value at each step 0..n-1 */
  metrics?: Record<string, number[]>;
}

export async function createRun(
  request: APIRequestContext,
  trial: string,
  run: IRunSeed
): Promise<void> {
  await api(request, 'post', 'trial-components', {
    TrialComponentName: run.name,
    TrialName: trial,
    Parameters: run.parameters,
    Tags: run.tags,
    Status: { PrimaryStatus: run.status ?? 'Completed' }
  });
  const data = Object.entries(run.metrics ?? {}).flatMap(([name, values]) =>
    values.map((value, step) => ({
      MetricName: name,
      Value: value,
      Step: step
    }))
  );
  for (let i = 0; i < data.length; i += 10_000) {
    await api(request, 'post', `trial-components/${run.name}/metrics`, {
      MetricData: data.slice(i, i + 10_000)
    });
  }
}

/** Run `work` over `items`, `width` at a time. */
export async function inParallel<T>(
  items: T[],
  width: number,
  work: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      await work(items[next++]);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** Upload a JSON file as a run's output artifact, as the SDK's log_* calls do. */
export async function logJsonArtifact(
  request: APIRequestContext,
  run: string,
  name: string,
  file: string,
  body: unknown,
  mediaType = 'application/json'
): Promise<void> {
  const put = await request.put(
    `${API}/trial-components/${run}/artifacts/${file}`,
    {
      data: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': mediaType }
    }
  );
  expect(put.status(), await put.text()).toBeLessThan(300);
  const { ArtifactUri } = await put.json();
  await api(request, 'patch', `trial-components/${run}`, {
    OutputArtifacts: { [name]: { Value: ArtifactUri, MediaType: mediaType } }
  });
}
