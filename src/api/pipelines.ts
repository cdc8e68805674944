/**
 * Pipelines and their executions: ListPipelines, DescribePipeline (its definition),
 * ListPipelineExecutions, DescribePipelineExecution, ListPipelineExecutionSteps,
 * StopPipelineExecution and RetryPipelineExecution.
 */
import { jsonInit, requestAPI } from './request';
import { QueryOf, Schemas } from './types';

// The types are aliases of those generated from the server's OpenAPI document
// (`schema.d.ts`, `jlpm api:types`); only the statuses, which the document leaves as
// strings, are spelled out here.

/** The collection route of pipelines. */
export const PIPELINES_ROUTE = 'pipelines';
/** The collection route of pipeline executions. */
export const EXECUTIONS_ROUTE = 'pipeline-executions';

/** SageMaker's PipelineExecutionStatus. */
export type PipelineExecutionStatus =
  'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

/** SageMaker's StepStatus. */
export type StepStatus =
  'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

export type IPipelineSummary = Schemas['PipelineSummary'];
export type IPipeline = Schemas['DescribePipelineResponse'];
export type IPipelineExecutionSummary = Schemas['PipelineExecutionSummary'];
export type IPipelineExecution = Schemas['DescribePipelineExecutionResponse'];
export type IPipelineExecutionStep = Schemas['PipelineExecutionStep'];
export type IPipelineParameter = Schemas['PipelineParameterBody'];
/** RetryPipelineExecution's answer: the execution, Executing again. */
export type IRetryPipelineExecutionResponse =
  Schemas['RetryPipelineExecutionResponse'];
export type IListPipelinesRequest = Partial<QueryOf<'listPipelines'>>;
export type IListPipelinesResponse = Schemas['ListPipelinesResponse'];
export type IListPipelineExecutionsRequest = Partial<
  QueryOf<'listPipelineExecutions'>
>;
export type IListPipelineExecutionsResponse =
  Schemas['ListPipelineExecutionsResponse'];
export type IListPipelineExecutionStepsResponse =
  Schemas['ListPipelineExecutionStepsResponse'];
/** DescribePipelineDefinitionForExecution's answer: the definition it started with. */
export type IExecutionDefinition =
  Schemas['DescribePipelineDefinitionForExecutionResponse'];

const pipelinePath = (name: string) =>
  `${PIPELINES_ROUTE}/${encodeURIComponent(name)}`;
const executionPath = (id: string) =>
  `${EXECUTIONS_ROUTE}/${encodeURIComponent(id)}`;

/**
 * The id of an execution, given its ARN (`…:pipeline/<name>/execution/<id>`) or its id.
 *
 * @param arnOrId - the execution's ARN or id.
 * @returns the id, the ARN's last segment.
 */
export function executionId(arnOrId: string): string {
  return arnOrId.startsWith('arn:')
    ? arnOrId.slice(arnOrId.lastIndexOf('/') + 1)
    : arnOrId;
}

/** Pipelines (newest first unless the request says otherwise). */
export function listPipelines(
  request: IListPipelinesRequest = {}
): Promise<IListPipelinesResponse> {
  return requestAPI<IListPipelinesResponse>(
    PIPELINES_ROUTE,
    {},
    { ...request }
  );
}

/** One pipeline with its definition's JSON text. */
export function describePipeline(name: string): Promise<IPipeline> {
  return requestAPI<IPipeline>(pipelinePath(name));
}

/** A pipeline's executions, newest first. */
export function listPipelineExecutions(
  name: string,
  request: IListPipelineExecutionsRequest = {}
): Promise<IListPipelineExecutionsResponse> {
  return requestAPI<IListPipelineExecutionsResponse>(
    `${pipelinePath(name)}/executions`,
    {},
    { ...request }
  );
}

/** One execution: its status, parameters and failure reason. */
export function describePipelineExecution(
  id: string
): Promise<IPipelineExecution> {
  return requestAPI<IPipelineExecution>(executionPath(id));
}

/** The steps an execution started, newest first (those not started are absent). */
export async function listPipelineExecutionSteps(
  id: string
): Promise<IPipelineExecutionStep[]> {
  const answer = await requestAPI<IListPipelineExecutionStepsResponse>(
    `${executionPath(id)}/steps`
  );
  return answer.PipelineExecutionSteps;
}

/** The definition an execution started with (a later update of the pipeline aside). */
export function describePipelineDefinitionForExecution(
  id: string
): Promise<IExecutionDefinition> {
  return requestAPI<IExecutionDefinition>(`${executionPath(id)}/definition`);
}

/** Ask an execution to stop: Stopping now, Stopped once its step jobs stopped. */
export function stopPipelineExecution(id: string): Promise<IPipelineExecution> {
  return requestAPI<IPipelineExecution>(
    `${executionPath(id)}/stop`,
    jsonInit('POST', {})
  );
}

/**
 * Retry a Failed or Stopped execution (RetryPipelineExecution): the steps that
 * succeeded keep their results, the others run again.
 *
 * @throws {StudioApiError} 409 when the execution is not Failed or Stopped.
 */
export function retryPipelineExecution(
  id: string
): Promise<IRetryPipelineExecutionResponse> {
  return requestAPI<IRetryPipelineExecutionResponse>(
    `${executionPath(id)}/retry`,
    jsonInit('POST', {})
  );
}
