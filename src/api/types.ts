/**
 * Types of the ML Studio REST API (`/mlstudio/api/...`).
 *
 * Field names follow the SageMaker API (PascalCase) exactly as the server sends them;
 * times are ISO-8601 strings; optional fields may come absent or `null`. These mirror
 * `jupyter_mlstudio/server/schemas.py` and the entities it uses — keep them in step.
 */

/** The body of every API error response. */
export interface IApiErrorBody {
  code: string;
  message: string;
  field?: string;
}

// --- health ----------------------------------------------------------------

export interface IHealth {
  Version: string;
  Store: {
    Backend: string;
    Url: string;
    Ok: boolean;
    SchemaRevision: string | null;
    HeadRevision: string | null;
    Detail?: string | null;
  };
  ArtifactRoot: { Uri: string; Ok: boolean; Detail?: string };
  Runtimes: { Name: string; Available: boolean; Detail?: string }[];
  DefaultRuntime: string;
}

// --- experiments -------------------------------------------------------------

export type Tags = Record<string, string>;

/** A tag as SageMaker requests spell it; requests also accept a `Tags` map. */
export interface ITag {
  Key: string;
  Value: string;
}

export interface IExperiment {
  ExperimentName: string;
  DisplayName?: string | null;
  Description?: string | null;
  Tags: Tags;
  CreationTime: string;
  LastModifiedTime: string;
}

export interface IExperimentSummary {
  ExperimentName: string;
  DisplayName?: string | null;
  CreationTime: string;
  LastModifiedTime: string;
  Tags: Tags;
  TrialCount: number;
  TrialComponentCount: number;
}

export interface IListExperimentsRequest {
  NameContains?: string;
  SortBy?: 'Name' | 'CreationTime';
  SortOrder?: 'Ascending' | 'Descending';
  MaxResults?: number;
  NextToken?: string;
}

export interface IListExperimentsResponse {
  ExperimentSummaries: IExperimentSummary[];
  NextToken?: string | null;
}

export interface ICreateExperimentRequest {
  ExperimentName: string;
  DisplayName?: string;
  Description?: string;
  Tags?: Tags | ITag[];
}

export type RunStatus =
  'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export interface IMetricSummary {
  MetricName: string;
  Min: number;
  Max: number;
  Last: number;
  Count: number;
  Avg: number;
  StdDev: number;
  TimeStamp: string;
}

export interface ITrialComponentSummary {
  TrialComponentName: string;
  DisplayName?: string | null;
  Status: { PrimaryStatus: RunStatus; Message?: string };
  StartTime?: string | null;
  EndTime?: string | null;
  CreationTime: string;
  LastModifiedTime: string;
  Parameters: Record<string, number | string>;
  Metrics: IMetricSummary[];
  Tags: Tags;
  TrialNames: string[];
}

export interface IListTrialComponentsRequest {
  ExperimentName?: string;
  TrialName?: string;
  MaxResults?: number;
  NextToken?: string;
}

export interface IListTrialComponentsResponse {
  TrialComponentSummaries: ITrialComponentSummary[];
  NextToken?: string | null;
}

// --- jobs --------------------------------------------------------------------

export type JobKind = 'TrainingJob' | 'ProcessingJob';

export type JobStatus = RunStatus;

export interface IJobSummary {
  JobName: string;
  Kind: JobKind;
  Status: JobStatus;
  SecondaryStatus?: string | null;
  FailureReason?: string | null;
  CreationTime: string;
  StartTime?: string | null;
  EndTime?: string | null;
  LastModifiedTime: string;
}

export interface IListJobsRequest {
  StatusEquals?: JobStatus;
  NameContains?: string;
}

export interface IListTrainingJobsResponse {
  TrainingJobSummaries: IJobSummary[];
  NextToken?: string | null;
}

export interface IListProcessingJobsResponse {
  ProcessingJobSummaries: IJobSummary[];
  NextToken?: string | null;
}

// --- endpoints ---------------------------------------------------------------

export type EndpointStatus =
  | 'Creating'
  | 'InService'
  | 'Updating'
  | 'SystemUpdating'
  | 'RollingBack'
  | 'OutOfService'
  | 'Deleting'
  | 'Failed';

export interface IEndpointSummary {
  EndpointName: string;
  EndpointConfigName: string;
  EndpointStatus: EndpointStatus;
  FailureReason?: string | null;
  CreationTime: string;
  LastModifiedTime: string;
}

export interface IListEndpointsRequest {
  StatusEquals?: EndpointStatus;
  NameContains?: string;
}

export interface IListEndpointsResponse {
  Endpoints: IEndpointSummary[];
  NextToken?: string | null;
}
