/** Endpoints, variants and figures as the hosting routes answer them, for the specs. */
import {
  IEndpoint,
  IEndpointMetrics,
  IEndpointSummary,
  IEndpointVariant,
  IVariantFigures
} from '../api/endpoints';
import { NOW } from './utils';

export function endpointSummary(
  name: string,
  status: IEndpointSummary['EndpointStatus'] = 'InService',
  options: Partial<IEndpointSummary> = {}
): IEndpointSummary {
  return {
    EndpointName: name,
    EndpointConfigName: `${name}-config`,
    EndpointStatus: status,
    FailureReason: null,
    CreationTime: NOW,
    LastModifiedTime: NOW,
    Tags: {},
    ...options
  };
}

export function variant(
  name: string,
  weight: number,
  options: Partial<IEndpointVariant> = {}
): IEndpointVariant {
  return {
    VariantName: name,
    ModelName: `${name}-model`,
    CurrentWeight: weight,
    DesiredWeight: weight,
    CurrentInstanceCount: 1,
    DesiredInstanceCount: 1,
    InstanceType: 'local',
    Runtime: 'process',
    Containers: null,
    Instances: [
      {
        Host: 'algo-1',
        Status: 'Healthy',
        Restarts: 0,
        StartedAt: 1,
        Detail: null,
        Containers: null,
        Node: null
      }
    ],
    ...options
  };
}

export function described(
  name: string,
  variants: IEndpointVariant[],
  options: Partial<IEndpoint> = {}
): IEndpoint {
  return {
    ...endpointSummary(name),
    ProductionVariants: variants,
    DataCaptureConfig: null,
    ...options
  };
}

export function figures(
  name: string,
  invocations = 0,
  options: Partial<IVariantFigures> = {}
): IVariantFigures {
  return {
    VariantName: name,
    Invocations: invocations,
    Invocation4XXErrors: 0,
    Invocation5XXErrors: 0,
    ModelLatency: { P50: 2.5, P90: 4, P99: 9.25 },
    OverheadLatency: { P50: 0.8, P90: 1.2, P99: 3 },
    Series: {
      Time: [1_800_000_000, 1_800_000_010],
      Invocations: [invocations, 0],
      Errors: [0, 0],
      ModelLatencyP50: [2.5, null],
      OverheadLatencyP50: [0.8, null]
    },
    ...options
  };
}

export function metrics(
  name: string,
  variants: IVariantFigures[]
): IEndpointMetrics {
  return { EndpointName: name, Variants: variants };
}
