/**
 * The models an endpoint serves: for a multi-model variant, per instance the models
 * loaded now and the figures of every model it served (invocations, latency, loads,
 * load time, evictions).
 */
import { requestAPI } from './request';
import { Schemas } from './types';

// Aliases of the types generated from the server's OpenAPI document (`schema.d.ts`).

export type IEndpointModels = Schemas['EndpointModelsResponse'];
/** One variant: SingleModel (no instances listed) or MultiModel. */
export type IVariantModels = Schemas['VariantModels'];
/** One instance of a multi-model variant: what it has loaded, what it served. */
export type IInstanceModels = Schemas['InstanceModels'];
/** The figures of one model (TargetModel) on one instance. */
export type ITargetModelFigures = Schemas['TargetModelFigures'];
/** One container of an inference pipeline, as the endpoint's describe lists them. */
export type IPipelineContainer = Schemas['PipelineContainer'];

/** The models of each variant of endpoint `name`. */
export function getEndpointModels(name: string): Promise<IEndpointModels> {
  return requestAPI<IEndpointModels>(
    `endpoints/${encodeURIComponent(name)}/models`
  );
}
