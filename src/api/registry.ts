/**
 * The model registry: model package groups and their versions (ListModelPackageGroups,
 * DescribeModelPackageGroup, ListModelPackages, DescribeModelPackage,
 * UpdateModelPackage), and the reads of the files their metrics point at.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IRawResponse,
  jsonInit,
  requestAPI,
  ServerExtensionMissingError,
  StudioApiError
} from './request';
import { QueryOf, Schemas } from './types';

// The types are aliases of those generated from the server's OpenAPI document
// (`schema.d.ts`, `jlpm api:types`); only what the server keeps as given (the
// CreateModelPackage fields: InferenceSpecification, ModelMetrics) is spelled out here.

/** The collection route of model package groups. */
export const REGISTRY_ROUTE = 'model-package-groups';

export type ModelApprovalStatus = Schemas['ModelApprovalStatus'];
/** A model package group (the listing and DescribeModelPackageGroup). */
export type IModelPackageGroup = Schemas['ModelPackageGroupBody'];
/** One version of a group as ListModelPackages returns it. */
export type IModelPackageSummary = Schemas['ModelPackageSummary'];
/** One version with everything registered (DescribeModelPackage). */
export type IModelPackage = Schemas['DescribeModelPackageResponse'];
export type IListModelPackageGroupsRequest = Partial<
  QueryOf<'listModelPackageGroups'>
>;
export type IListModelPackageGroupsResponse =
  Schemas['ListModelPackageGroupsResponse'];
export type IListModelPackagesRequest = Partial<QueryOf<'listModelPackages'>>;
export type IListModelPackagesResponse = Schemas['ListModelPackagesResponse'];
/** UpdateModelPackage: only the fields given change. */
export type IUpdateModelPackageRequest = Partial<
  Schemas['UpdateModelPackageRequest']
>;

/** One container of a version's InferenceSpecification. */
export interface IPackageContainer {
  /** None: the studio's script-mode serving. */
  Image?: string | null;
  ModelDataUrl?: string | null;
  Environment?: Record<string, string> | null;
  Framework?: string | null;
  FrameworkVersion?: string | null;
}

/** How a version is served (CreateModelPackage's InferenceSpecification). */
export interface IInferenceSpecification {
  Containers?: IPackageContainer[];
  SupportedContentTypes?: string[];
  SupportedResponseMIMETypes?: string[];
  SupportedRealtimeInferenceInstanceTypes?: string[];
  SupportedTransformInstanceTypes?: string[];
}

/** A file of metrics (an evaluation report, statistics, constraints). */
export interface IMetricsSource {
  ContentType: string;
  S3Uri: string;
  ContentDigest?: string | null;
}

/** The most versions read for one view (one page). */
export const MAX_VERSIONS = 1000;

const groupPath = (group: string) =>
  `${REGISTRY_ROUTE}/${encodeURIComponent(group)}`;
const packagesPath = (group: string) => `${groupPath(group)}/model-packages`;

/** Model package groups, newest first. */
export function listModelPackageGroups(
  request: IListModelPackageGroupsRequest = {}
): Promise<IListModelPackageGroupsResponse> {
  return requestAPI<IListModelPackageGroupsResponse>(
    REGISTRY_ROUTE,
    {},
    { ...request }
  );
}

/** One model package group. */
export function describeModelPackageGroup(
  group: string
): Promise<IModelPackageGroup> {
  return requestAPI<IModelPackageGroup>(groupPath(group));
}

/** One page of a group's versions, newest first unless asked otherwise. */
export function listModelPackages(
  group: string,
  request: IListModelPackagesRequest = {}
): Promise<IListModelPackagesResponse> {
  return requestAPI<IListModelPackagesResponse>(
    packagesPath(group),
    {},
    { ...request }
  );
}

/** One version with its inference specification, metrics and metadata. */
export function describeModelPackage(
  group: string,
  version: number
): Promise<IModelPackage> {
  return requestAPI<IModelPackage>(`${packagesPath(group)}/${version}`);
}

/**
 * Approve or reject a version (with an optional description); answers the version as
 * it is now.
 *
 * @throws {StudioApiError} naming the field the server refused.
 */
export function updateModelPackage(
  group: string,
  version: number,
  request: IUpdateModelPackageRequest
): Promise<IModelPackage> {
  return requestAPI<IModelPackage>(
    `${packagesPath(group)}/${version}`,
    jsonInit('PATCH', request)
  );
}

/** The text of a file a job published (`<OutputName>/<file>` of a processing job). */
export async function readJobFile(
  collection: 'processing-jobs' | 'training-jobs',
  job: string,
  path: string
): Promise<string> {
  const segments = path.split('/').map(encodeURIComponent).join('/');
  const answer = await requestAPI<IRawResponse>(
    `${collection}/${encodeURIComponent(job)}/artifacts/${segments}`,
    { raw: true }
  );
  return answer.text;
}

/** The text of a file of a run (`trial-components/<run>/artifacts/<path>`). */
export async function readRunFile(run: string, path: string): Promise<string> {
  const segments = path.split('/').map(encodeURIComponent).join('/');
  const answer = await requestAPI<IRawResponse>(
    `trial-components/${encodeURIComponent(run)}/artifacts/${segments}`,
    { raw: true }
  );
  return answer.text;
}

/**
 * The text of a file under the Jupyter server's root, through Jupyter's contents API
 * (`path` relative to the root, `/`-separated).
 *
 * @throws {StudioApiError} with the server's status when it cannot be read.
 */
export async function readServerFile(
  path: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<string> {
  const url =
    URLExt.join(
      settings.baseUrl,
      'api/contents',
      path.split('/').map(encodeURIComponent).join('/')
    ) + '?type=file&format=text&content=1';
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
  const text = await response.text();
  let body: { content?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // reported below
  }
  if (!response.ok) {
    throw new StudioApiError(
      response.status,
      `Http${response.status}`,
      typeof body.message === 'string' && body.message
        ? body.message
        : response.statusText || `Request failed with status ${response.status}`
    );
  }
  if (typeof body.content !== 'string') {
    throw new StudioApiError(
      response.status,
      'InvalidResponse',
      `${path} is not a text file.`
    );
  }
  return body.content;
}
