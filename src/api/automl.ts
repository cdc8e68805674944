/**
 * AutoML jobs: listing, describing and stopping them, their candidates
 * (ListCandidatesForAutoMLJob), their log and notebooks, and the inference-pipeline
 * model that deploys a candidate's containers.
 */
import { IModel } from './endpoints';
import { jsonInit, requestAPI } from './request';
import { IJob, IJobLogChunk, QueryOf, Schemas } from './types';

// The job, the listing and the request types are aliases of those generated from the
// server's OpenAPI document (`schema.d.ts`); what the server leaves open (a job's
// Outputs, the candidates, SageMaker's AutoMLCandidate) is spelled out here.

/** The collection route of AutoML jobs. */
export const AUTOML_ROUTE = 'auto-ml-jobs';

/** An AutoML job as its GET and the listing return it (a job of kind AutoMLJob). */
export type IAutoMLJob = IJob;

/** What an AutoML job is doing, then why it ended (SageMaker's AutoMLJobSecondaryStatus). */
export type AutoMLSecondaryStatus =
  | 'Starting'
  | 'AnalyzingData'
  | 'FeatureEngineering'
  | 'ModelTuning'
  | 'TrainingModels'
  | 'Completed'
  | 'MaxCandidatesReached'
  | 'MaxAutoMLJobRuntimeReached'
  | 'CandidateDefinitionsGenerated'
  | 'Stopped'
  | 'Failed'
  | string;

export type CandidateStatus =
  'Completed' | 'InProgress' | 'Failed' | 'Stopped' | 'Stopping';

/** One stage of the job's timeline; no EndTime while it is the current one. */
export interface IAutoMLStage {
  Stage: string;
  StartTime: string;
  EndTime?: string | null;
}

/** A candidate's objective value. */
export interface IAutoMLObjective {
  MetricName: string;
  Value: number;
  Type?: 'Maximize' | 'Minimize';
  StandardMetricName?: string;
}

/** One inference container of a candidate (served in order: features, then model). */
export interface IInferenceContainer {
  /** The container's name in the pipeline (the endpoint's description names it). */
  ContainerHostname?: string;
  Image?: string;
  ModelDataUrl?: string;
  Environment?: Record<string, string>;
}

/** How a candidate was made (the studio's addition to AutoMLCandidate). */
export interface ICandidateDefinition {
  Algorithm?: string;
  Preprocessing?: string;
  HyperParameters?: Record<string, string>;
}

/** One candidate of an AutoML job (SageMaker's AutoMLCandidate, with its definition). */
export interface IAutoMLCandidate {
  CandidateName: string;
  CandidateStatus: CandidateStatus;
  ObjectiveStatus?: 'Succeeded' | 'Pending' | 'Failed' | null;
  /** The first step is the candidate's training job. */
  CandidateSteps?: {
    CandidateStepType?: string;
    CandidateStepArn?: string;
    CandidateStepName: string;
  }[];
  CreationTime: string;
  EndTime?: string | null;
  LastModifiedTime?: string | null;
  FailureReason?: string | null;
  FinalAutoMLJobObjectiveMetric?: IAutoMLObjective | null;
  InferenceContainers?: IInferenceContainer[];
  CandidateProperties?: {
    CandidateMetrics?: {
      MetricName: string;
      Value: number;
      Set?: string;
      StandardMetricName?: string;
    }[];
  };
  CandidateDefinition?: ICandidateDefinition;
}

/** One column of the analysed table. */
export interface IAnalysisColumn {
  Name: string;
  Type: 'numeric' | 'categorical' | 'dropped' | string;
  Missing: number;
  Distinct: number;
}

/** What the job learnt of the table (its problem type, its columns). */
export interface IAutoMLAnalysis {
  Rows?: number;
  Target?: string;
  Classes?: string[];
  InferredBecause?: string;
  Columns?: IAnalysisColumn[];
}

/** An AutoML job's Outputs, as the server fills them in stage after stage. */
export interface IAutoMLOutputs {
  AutoMLJobSecondaryStatus?: AutoMLSecondaryStatus;
  Stages?: IAutoMLStage[];
  ResolvedAttributes?: {
    ProblemType?: string;
    AutoMLJobObjective?: { MetricName?: string };
    CompletionCriteria?: Record<string, number>;
  };
  ProblemType?: string;
  AutoMLJobObjective?: { MetricName?: string };
  BestCandidate?: IAutoMLCandidate | null;
  CandidateCounts?: Partial<Record<CandidateStatus, number>>;
  AutoMLJobArtifacts?: {
    DataExplorationNotebookLocation?: string;
    CandidateDefinitionNotebookLocation?: string;
  };
  Analysis?: IAutoMLAnalysis;
  DataLocation?: Record<string, unknown>;
}

/** The notebooks an AutoML job writes, by the file names its artifacts route serves. */
export const DATA_EXPLORATION_NOTEBOOK =
  'SageMakerAutopilotDataExplorationNotebook.ipynb';
export const CANDIDATE_DEFINITION_NOTEBOOK =
  'SageMakerAutopilotCandidateDefinitionNotebook.ipynb';
export type AutoMLNotebook =
  typeof DATA_EXPLORATION_NOTEBOOK | typeof CANDIDATE_DEFINITION_NOTEBOOK;

export type IListAutoMLJobsRequest = Partial<QueryOf<'listAutoMLJobs'>>;
export type IListAutoMLJobsResponse = Schemas['ListAutoMLJobsResponse'];
export type IListCandidatesRequest = Partial<
  QueryOf<'listCandidatesForAutoMLJob'>
>;
export interface IListCandidatesResponse {
  Candidates: IAutoMLCandidate[];
  NextToken?: string | null;
}

/** CreateModel with an inference pipeline: the containers, served in order. */
export interface ICreatePipelineModelRequest {
  ModelName: string;
  Containers: IInferenceContainer[];
  InferenceExecutionConfig?: { Mode: 'Serial' };
}

/** The most candidates read for one view (pages of 100). */
export const MAX_CANDIDATES = 1000;

const automlPath = (name: string) =>
  `${AUTOML_ROUTE}/${encodeURIComponent(name)}`;

/** "2026-12-06 17:08:38+00:00" → "2026-12-06T17:08:38+00:00" (ISO, parsed everywhere). */
function isoTime<T extends string | null | undefined>(value: T): T {
  return (
    typeof value === 'string'
      ? value.replace(/^(\d{4}-\d\d-\d\d) /, '$1T')
      : value
  ) as T;
}

/** A candidate with its times in ISO form. */
function normalised(candidate: IAutoMLCandidate): IAutoMLCandidate {
  return {
    ...candidate,
    CreationTime: isoTime(candidate.CreationTime),
    EndTime: isoTime(candidate.EndTime),
    LastModifiedTime: isoTime(candidate.LastModifiedTime)
  };
}

/** AutoML jobs, newest first (one page of up to `MaxResults`). */
export function listAutoMLJobs(
  request: IListAutoMLJobsRequest = {}
): Promise<IListAutoMLJobsResponse> {
  return requestAPI<IListAutoMLJobsResponse>(AUTOML_ROUTE, {}, { ...request });
}

/** One AutoML job with its request (Spec), stages, analysis and best candidate. */
export function describeAutoMLJob(name: string): Promise<IAutoMLJob> {
  return requestAPI<IAutoMLJob>(automlPath(name));
}

/**
 * Ask an AutoML job to stop: it starts no more candidates and stops those running.
 * Answers the job (Stopping, then Stopped once its candidates stopped).
 */
export function stopAutoMLJob(name: string): Promise<IAutoMLJob> {
  return requestAPI<IAutoMLJob>(
    `${automlPath(name)}/stop`,
    jsonInit('POST', {})
  );
}

/** One page of an AutoML job's candidates. */
export async function listCandidates(
  name: string,
  request: IListCandidatesRequest = {}
): Promise<IListCandidatesResponse> {
  const page = await requestAPI<IListCandidatesResponse>(
    `${automlPath(name)}/candidates`,
    {},
    { ...request }
  );
  return { ...page, Candidates: page.Candidates.map(normalised) };
}

/**
 * Every candidate of an AutoML job (up to `MAX_CANDIDATES`) in launch order, reading
 * page after page.
 */
export async function listAllCandidates(
  name: string
): Promise<IAutoMLCandidate[]> {
  const candidates: IAutoMLCandidate[] = [];
  let token: string | undefined;
  do {
    const page = await listCandidates(name, {
      SortBy: 'CreationTime',
      SortOrder: 'Ascending',
      MaxResults: 100,
      NextToken: token
    });
    candidates.push(...page.Candidates);
    token = page.NextToken ?? undefined;
  } while (token && candidates.length < MAX_CANDIDATES);
  return candidates;
}

/**
 * The AutoML job's own log from byte `offset` on: its stages, each candidate started
 * and ended. `Complete` says nothing more will come.
 */
export function getAutoMLJobLogs(
  name: string,
  offset: number
): Promise<IJobLogChunk> {
  return requestAPI<IJobLogChunk>(
    `${automlPath(name)}/logs`,
    {},
    { Offset: offset }
  );
}

/** One of the job's notebooks, as the notebook's JSON. */
export function getAutoMLNotebook(
  name: string,
  file: AutoMLNotebook
): Promise<Record<string, unknown>> {
  return requestAPI<Record<string, unknown>>(
    `${automlPath(name)}/artifacts/${encodeURIComponent(file)}`
  );
}

/**
 * Create a model that serves `Containers` in order (an inference pipeline), as a
 * candidate's feature transform and algorithm.
 */
export function createPipelineModel(
  request: ICreatePipelineModelRequest
): Promise<IModel> {
  return requestAPI<IModel>('models', jsonInit('POST', request));
}
