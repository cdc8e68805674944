/**
 * Types of the ML Studio REST API (`/mlstudio/api/...`), as aliases of the types
 * generated from the server's OpenAPI document (`schema.d.ts`, `jlpm api:types`), so
 * they cannot drift from the server: `jlpm api:types:check` fails when it is stale.
 *
 * Field names follow the SageMaker API (PascalCase) exactly as the server sends them;
 * times are ISO-8601 strings; optional fields may come absent or `null`.
 */
import type { components, operations } from './schema';

/** Every schema of the OpenAPI document, by name. */
export type Schemas = components['schemas'];

/** The query parameters of an operation, by its `operationId`. */
export type QueryOf<K extends keyof operations> = NonNullable<
  operations[K]['parameters']['query']
>;

/** The body of every API error response. */
export type IApiErrorBody = Schemas['ErrorResponse'];

// --- health ----------------------------------------------------------------

export type IHealth = Schemas['HealthResponse'];

// --- experiments -------------------------------------------------------------

export type Tags = Record<string, string>;

/** A tag as SageMaker requests spell it; requests also accept a `Tags` map. */
export type ITag = Schemas['Tag'];

export type IExperiment = Schemas['Experiment'];
export type IExperimentSummary = Schemas['ExperimentSummary'];
export type IListExperimentsRequest = Partial<QueryOf<'listExperiments'>>;
export type IListExperimentsResponse = Schemas['ListExperimentsResponse'];
export type ICreateExperimentRequest = Schemas['CreateExperimentRequest'];

export type RunStatus = Schemas['TrialComponentPrimaryStatus'];
export type IMetricSummary = Schemas['MetricSummary'];
export type IMetricPoint = Schemas['MetricPoint'];
export type IMetricSeriesResponse = Schemas['MetricSeriesResponse'];
export type ITrialComponentArtifact = Schemas['TrialComponentArtifact'];
/** A run (trial component), as its GET and the listings return it. */
export type ITrialComponent = Schemas['TrialComponent'];
/** The listings return whole trial components (SageMaker's summaries plus metrics). */
export type ITrialComponentSummary = ITrialComponent;
export type IListTrialComponentsRequest = Partial<
  QueryOf<'listTrialComponents'>
>;
export type IListExperimentRunsRequest = Partial<QueryOf<'listExperimentRuns'>>;
export type IListExperimentRunsResponse = Schemas['ListExperimentRunsResponse'];
export type IListTrialComponentsResponse =
  Schemas['ListTrialComponentsResponse'];

// --- jobs --------------------------------------------------------------------

export type JobKind = Schemas['JobKind'];
export type JobStatus = Schemas['JobStatus'];
export type IJobSummary = Schemas['Job'];
/** One job as its GET returns it (the listings return the same form). */
export type IJob = Schemas['Job'];
export type SecondaryStatus = Schemas['SecondaryStatus'];
export type ISecondaryStatusTransition = Schemas['SecondaryStatusTransition'];
/**
 * A piece of a job's log: the text from the requested byte offset on, the offset to
 * ask for next, and whether the job has ended and everything was sent.
 */
export type IJobLogChunk = Schemas['JobLogs'];
export type ICreateTrainingJobRequest = Schemas['CreateTrainingJobRequest'];
export type IListJobsRequest = Partial<QueryOf<'listTrainingJobs'>>;
export type IListTrainingJobsResponse = Schemas['ListTrainingJobsResponse'];
export type IListProcessingJobsResponse = Schemas['ListProcessingJobsResponse'];

// --- endpoints ---------------------------------------------------------------

export type EndpointStatus = Schemas['EndpointStatus'];
export type IEndpointSummary = Schemas['Endpoint'];
export type IListEndpointsRequest = Partial<QueryOf<'listEndpoints'>>;
export type IListEndpointsResponse = Schemas['ListEndpointsResponse'];

// --- charts ------------------------------------------------------------------

/** One run's series of one metric as parallel columns (downsampled on the server). */
export type IChartSeries = Schemas['ChartSeries'];
/** Which runs a chart covers (POST body): named runs and/or an experiment's runs. */
export type IRunSelectionRequest = Partial<Schemas['RunSelectionRequest']>;
export type IMetricChartRequest = IRunSelectionRequest &
  Pick<Schemas['MetricChartRequest'], 'MetricName'> &
  Partial<Pick<Schemas['MetricChartRequest'], 'MaxPoints'>>;
export type IMetricChartResponse = Schemas['MetricChartResponse'];
export type IMetricNamesResponse = Schemas['MetricNamesResponse'];
