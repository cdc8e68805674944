/**
 * Hosting: models, endpoint configurations and endpoints — listing, describing with
 * their live variants, traffic weights, invocations, figures, captured records, logs.
 */
import { IRawResponse, jsonInit, requestAPI } from './request';
import {
  EndpointStatus,
  IEndpointSummary,
  IListEndpointsRequest,
  IListEndpointsResponse,
  Schemas
} from './types';

export type { EndpointStatus, IEndpointSummary };

// The types are aliases of those generated from the server's OpenAPI document
// (`schema.d.ts`, `jlpm api:types`); only what the server leaves open (the data
// capture settings, the captured records) is spelled out here.

/** One instance (host) of a variant: Pending, Healthy, Unhealthy, Restarting, Stopped. */
export type IEndpointInstance = Schemas['InstanceDescription'];
/** A production variant as the endpoint's describe reports it, live. */
export type IEndpointVariant = Schemas['VariantDescription'];
/** An endpoint with its live variants (the describe route). */
export type IEndpoint = Schemas['DescribeEndpointResponse'];
export type ILatency = Schemas['LatencyPercentiles'];
/** A variant's figures over the last minutes, with 10-second series. */
export type IVariantFigures = Schemas['VariantFigures'];
export type IEndpointMetrics = Schemas['EndpointFiguresResponse'];
/** A piece of an instance's log (see `getEndpointLogs`). */
export type IEndpointLogChunk = Schemas['EndpointLogs'];
export type IModel = Schemas['Model'];
export type IEndpointConfig = Schemas['EndpointConfig'];

// Request bodies: the schema's fields, where those the server defaults may be left out
// (the generated types require every field that has a default).

/** `T`'s fields `K` as they are, the others optional. */
type Needs<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

export type ICreateModelRequest = Needs<
  Omit<Schemas['CreateModelRequest'], 'PrimaryContainer'>,
  'ModelName'
> & { PrimaryContainer: Partial<Schemas['ContainerSpec']> };
export type IProductionVariantRequest = Needs<
  Schemas['ProductionVariantSpec'],
  'VariantName' | 'ModelName'
>;
export type ICreateEndpointConfigRequest = Needs<
  Omit<
    Schemas['CreateEndpointConfigRequest'],
    'ProductionVariants' | 'DataCaptureConfig'
  >,
  'EndpointConfigName'
> & {
  ProductionVariants: IProductionVariantRequest[];
  DataCaptureConfig?: Partial<Schemas['DataCaptureConfigSpec']>;
};
export type ICreateEndpointRequest = Needs<
  Schemas['CreateEndpointRequest'],
  'EndpointName' | 'EndpointConfigName'
>;
/** A new weight (and/or instance count) for a variant. */
export type IDesiredWeightAndCapacity = Needs<
  Schemas['DesiredWeightAndCapacity'],
  'VariantName'
>;

/** An endpoint's data capture settings, as its describe reports them. */
export interface IDataCaptureConfig {
  EnableCapture?: boolean;
  InitialSamplingPercentage?: number;
  DestinationS3Uri?: string;
}

/** The data capture settings of an endpoint, when it has any. */
export function dataCaptureConfig(
  endpoint: Pick<IEndpoint, 'DataCaptureConfig'>
): IDataCaptureConfig | null {
  const config = endpoint.DataCaptureConfig;
  return config && typeof config === 'object'
    ? (config as IDataCaptureConfig)
    : null;
}

/** One side (input or output) of a captured request. */
export interface ICapturedData {
  observedContentType?: string;
  mode?: 'INPUT' | 'OUTPUT';
  data: string;
  encoding?: 'CSV' | 'JSON' | 'BASE64' | string;
}

/** A captured request, as SageMaker's data capture writes it (one JSON line). */
export interface ICaptureRecord {
  captureData: {
    endpointInput?: ICapturedData;
    endpointOutput?: ICapturedData;
  };
  eventMetadata: {
    eventId: string;
    inferenceTime: string;
    variantName?: string;
  };
  eventVersion?: string;
}

/** The newest captured records (SageMaker's JSON lines), and the files they came from. */
export type ICapturesResponse = Omit<Schemas['CapturesResponse'], 'Records'> & {
  Records: ICaptureRecord[];
};

const endpointPath = (name: string) => `endpoints/${encodeURIComponent(name)}`;

export function listEndpoints(
  request: IListEndpointsRequest = {}
): Promise<IListEndpointsResponse> {
  return requestAPI<IListEndpointsResponse>('endpoints', {}, { ...request });
}

/** One endpoint with its live variants and instances. */
export function describeEndpoint(name: string): Promise<IEndpoint> {
  return requestAPI<IEndpoint>(endpointPath(name));
}

/** Stop the endpoint's instances and remove it (its models and configs stay). */
export async function deleteEndpoint(name: string): Promise<void> {
  await requestAPI<void>(endpointPath(name), { method: 'DELETE' });
}

/** Set the traffic weights (and/or instance counts) of the endpoint's variants. */
export function updateEndpointWeights(
  name: string,
  desired: IDesiredWeightAndCapacity[]
): Promise<IEndpoint> {
  return requestAPI<IEndpoint>(
    `${endpointPath(name)}/weights`,
    jsonInit('POST', { DesiredWeightsAndCapacities: desired })
  );
}

/** Per-variant figures over the last `minutes` (the server's default: 15). */
export function getEndpointMetrics(
  name: string,
  minutes?: number
): Promise<IEndpointMetrics> {
  return requestAPI<IEndpointMetrics>(
    `${endpointPath(name)}/metrics`,
    {},
    { Minutes: minutes }
  );
}

/** The newest captured requests, of one variant or all. */
export function listCaptures(
  name: string,
  variant?: string,
  maxResults?: number
): Promise<ICapturesResponse> {
  return requestAPI<ICapturesResponse>(
    `${endpointPath(name)}/captures`,
    {},
    { VariantName: variant, MaxResults: maxResults }
  );
}

/**
 * An instance's log from byte `offset` on. Pass the answer's `NextOffset` back to read
 * what came since; `Complete` says nothing more will come (the instance stopped).
 */
export function getEndpointLogs(
  name: string,
  variant: string,
  host: string,
  offset: number
): Promise<IEndpointLogChunk> {
  return requestAPI<IEndpointLogChunk>(
    `${endpointPath(name)}/logs`,
    {},
    { VariantName: variant, Host: host, Offset: offset }
  );
}

/** A request to the endpoint's model, as the test panel sends it. */
export interface IInvocation {
  /** The body, sent as it is. */
  body: string;
  contentType: string;
  accept?: string;
  /** Send it to this variant instead of one picked by weight. */
  targetVariant?: string;
}

/** The model's answer to an invocation. */
export interface IInvocationResult {
  status: number;
  contentType: string;
  /** The variant that answered (`X-Amzn-Invoked-Production-Variant`). */
  variant: string;
  body: string;
  /** The round trip as the browser saw it, in milliseconds. */
  milliseconds: number;
}

/**
 * Send a request to the endpoint's model, as `InvokeEndpoint` does.
 *
 * @throws {StudioApiError} with the server's status: 400 bad header or unknown variant,
 * 409 not in service, 413 too large, 424 the model failed, 503 no healthy instance,
 * 504 the model did not answer in time.
 */
export async function invokeEndpoint(
  name: string,
  invocation: IInvocation
): Promise<IInvocationResult> {
  const headers: Record<string, string> = {
    'Content-Type': invocation.contentType
  };
  if (invocation.accept) {
    headers['Accept'] = invocation.accept;
  }
  if (invocation.targetVariant) {
    headers['X-Amzn-SageMaker-Target-Variant'] = invocation.targetVariant;
  }
  const started = performance.now();
  const response = await requestAPI<IRawResponse>(
    `${endpointPath(name)}/invocations`,
    { method: 'POST', body: invocation.body, headers, raw: true }
  );
  return {
    status: response.status,
    contentType: response.headers.get('Content-Type') ?? '',
    variant: response.headers.get('X-Amzn-Invoked-Production-Variant') ?? '',
    body: response.text,
    milliseconds: performance.now() - started
  };
}

/** Move an endpoint to another configuration (blue/green); it answers in `Updating`. */
export function updateEndpoint(
  name: string,
  endpointConfigName: string
): Promise<IEndpointSummary> {
  return requestAPI<IEndpointSummary>(
    endpointPath(name),
    jsonInit('PUT', { EndpointConfigName: endpointConfigName })
  );
}

/** Endpoint configurations, newest first (up to `MaxResults`, 100 by default). */
export function listEndpointConfigs(
  request: { NameContains?: string; MaxResults?: number } = {}
): Promise<Schemas['ListEndpointConfigsResponse']> {
  return requestAPI<Schemas['ListEndpointConfigsResponse']>(
    'endpoint-configs',
    {},
    { ...request }
  );
}

export function createModel(request: ICreateModelRequest): Promise<IModel> {
  return requestAPI<IModel>('models', jsonInit('POST', request));
}

export function createEndpointConfig(
  request: ICreateEndpointConfigRequest
): Promise<IEndpointConfig> {
  return requestAPI<IEndpointConfig>(
    'endpoint-configs',
    jsonInit('POST', request)
  );
}

/** Create an endpoint; it answers at once in `Creating` (poll the describe). */
export function createEndpoint(
  request: ICreateEndpointRequest
): Promise<IEndpointSummary> {
  return requestAPI<IEndpointSummary>('endpoints', jsonInit('POST', request));
}
