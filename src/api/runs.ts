/** Runs (trial components): listing every run of an experiment, series and files. */
import { ServerConnection } from '@jupyterlab/services';

import { apiUrl, requestAPI, requestBlob } from './request';
import {
  IChartSeries,
  IMetricChartResponse,
  IMetricNamesResponse,
  IMetricSeriesResponse,
  ITrialComponent,
  ITrialComponentArtifact,
  IListTrialComponentsResponse
} from './types';

/** The largest page the list routes return. */
const PAGE_SIZE = 1000;

/** The most run names sent in one chart request (keeps the URL short). */
export const CHART_BATCH = 100;

const runPath = (name: string) =>
  `trial-components/${encodeURIComponent(name)}`;

/** Every run of an experiment, following `NextToken` page by page. */
export async function listAllRuns(
  experimentName: string
): Promise<ITrialComponent[]> {
  const runs: ITrialComponent[] = [];
  let token: string | null | undefined = undefined;
  do {
    const page: IListTrialComponentsResponse =
      await requestAPI<IListTrialComponentsResponse>(
        'trial-components',
        {},
        {
          ExperimentName: experimentName,
          MaxResults: PAGE_SIZE,
          NextToken: token
        }
      );
    runs.push(...page.TrialComponentSummaries);
    token = page.NextToken;
  } while (token);
  return runs;
}

export function describeRun(name: string): Promise<ITrialComponent> {
  return requestAPI<ITrialComponent>(runPath(name));
}

/** Every point of one metric of one run, by step. */
export function getMetricSeries(
  run: string,
  metric: string
): Promise<IMetricSeriesResponse> {
  return requestAPI<IMetricSeriesResponse>(
    `${runPath(run)}/metrics/${encodeURIComponent(metric)}`
  );
}

/** Which runs a chart request covers: named runs, or every run of an experiment. */
export interface IRunSelection {
  runs?: string[];
  experimentName?: string;
}

/**
 * One metric of many runs, downsampled on the server to at most `maxPoints` entries
 * per run. Long lists of names are sent in batches of `CHART_BATCH`.
 */
export async function getMetricChart(
  selection: IRunSelection,
  metric: string,
  maxPoints = 500
): Promise<IChartSeries[]> {
  const batches = selectionBatches(selection);
  const answers = await Promise.all(
    batches.map(query =>
      requestAPI<IMetricChartResponse>(
        'charts/metrics',
        {},
        { ...query, MetricName: metric, MaxPoints: maxPoints }
      )
    )
  );
  return ([] as IChartSeries[]).concat(...answers.map(a => a.Series));
}

/** The metric names any of the selected runs logged. */
export async function listMetricNames(
  selection: IRunSelection
): Promise<string[]> {
  const answers = await Promise.all(
    selectionBatches(selection).map(query =>
      requestAPI<IMetricNamesResponse>('charts/metric-names', {}, query)
    )
  );
  const names = ([] as string[]).concat(...answers.map(a => a.MetricNames));
  return [...new Set(names)].sort();
}

function selectionBatches(
  selection: IRunSelection
): { ExperimentName?: string; TrialComponentName?: string[] }[] {
  if (!selection.runs) {
    return [{ ExperimentName: selection.experimentName }];
  }
  const batches = [];
  for (let i = 0; i < selection.runs.length; i += CHART_BATCH) {
    batches.push({
      TrialComponentName: selection.runs.slice(i, i + CHART_BATCH)
    });
  }
  return batches;
}

/**
 * The path of an artifact inside its run's folder of the artifact store, when the run
 * stored the file itself (`.../runs/<run>/<path>`); null for outside URIs.
 */
export function runArtifactPath(
  run: string,
  artifact: ITrialComponentArtifact
): string | null {
  const marker = `/runs/${run}/`;
  let value = artifact.Value;
  try {
    value = decodeURI(value);
  } catch {
    // keep the raw value
  }
  const at = value.indexOf(marker);
  return at < 0 ? null : value.slice(at + marker.length) || null;
}

const artifactRoute = (run: string, path: string) =>
  `${runPath(run)}/artifacts/${path.split('/').map(encodeURIComponent).join('/')}`;

/** The URL that downloads a run's file (the session cookie authenticates it). */
export function runArtifactUrl(
  run: string,
  path: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return apiUrl(settings, artifactRoute(run, path));
}

/** The content of a run's file. */
export function fetchRunArtifact(run: string, path: string): Promise<Blob> {
  return requestBlob(artifactRoute(run, path));
}
