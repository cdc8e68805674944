/** Runs (trial components): listing every run of an experiment, series and files. */
import { ServerConnection } from '@jupyterlab/services';

import { apiUrl, jsonInit, requestAPI, requestBlob } from './request';
import {
  IChartSeries,
  IMetricChartRequest,
  IMetricChartResponse,
  IMetricNamesResponse,
  IMetricSeriesResponse,
  IRunSelectionRequest,
  ITrialComponent,
  ITrialComponentArtifact,
  IListTrialComponentsResponse
} from './types';

/** The largest page the list routes return. */
const PAGE_SIZE = 1000;

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
 * per run. The selection travels in the body (POST): up to 1,000 run names, more than
 * a query string holds.
 */
export async function getMetricChart(
  selection: IRunSelection,
  metric: string,
  maxPoints = 500,
  fields?: ChartColumn[]
): Promise<IChartSeries[]> {
  const body: IMetricChartRequest & { Fields?: ChartColumn[] } = {
    ...selectionBody(selection),
    MetricName: metric,
    MaxPoints: maxPoints
  };
  if (fields) {
    body.Fields = fields; // the other columns come back empty
  }
  const answer = await requestAPI<IMetricChartResponse>(
    'charts/metrics',
    jsonInit('POST', body)
  );
  return answer.Series;
}

/** A column of a chart series besides `Steps` (`getMetricChart`'s `fields`). */
export type ChartColumn = 'Min' | 'Max' | 'Last' | 'Avg' | 'Count';

/** The metric names any of the selected runs logged, sorted. */
export async function listMetricNames(
  selection: IRunSelection
): Promise<string[]> {
  const answer = await requestAPI<IMetricNamesResponse>(
    'charts/metric-names',
    jsonInit('POST', selectionBody(selection))
  );
  return answer.MetricNames;
}

function selectionBody(selection: IRunSelection): IRunSelectionRequest {
  return selection.runs
    ? { TrialComponentName: selection.runs }
    : { ExperimentName: selection.experimentName };
}

/** The folder of one incarnation of a run name: its creation time (`20260105T101112123456Z`). */
const RUN_GENERATION = /^\d{8}T\d{12}Z\//;

/**
 * The path of an artifact inside its run's folder of the artifact store, when the run
 * stored the file itself (`.../runs/<run>/<creation time>/<path>`); null for outside URIs.
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
  if (at < 0) {
    return null;
  }
  return value.slice(at + marker.length).replace(RUN_GENERATION, '') || null;
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
