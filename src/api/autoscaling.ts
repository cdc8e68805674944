/**
 * Endpoint autoscaling: an endpoint's scalable targets (one a variant), their
 * target-tracking policies and the scaling activities that changed their instance
 * counts, in Application Auto Scaling's field names.
 *
 * The route's answer is spelled out here until the server's OpenAPI document describes
 * it; then these become aliases of the generated types (`jlpm api:types`).
 */
import {
  requestAPI,
  ServerExtensionMissingError,
  StudioApiError
} from './request';

/** A variant whose instance count autoscaling keeps between its bounds. */
export interface IScalableTarget {
  ServiceNamespace: string;
  /** `endpoint/<endpoint>/variant/<variant>` */
  ResourceId: string;
  ScalableDimension: string;
  MinCapacity: number;
  MaxCapacity: number;
  CreationTime?: string;
}

/** What a target-tracking policy keeps near its target. */
export interface ITargetTrackingConfiguration {
  TargetValue: number;
  PredefinedMetricSpecification?: { PredefinedMetricType: string };
  CustomizedMetricSpecification?: { MetricName?: string };
  ScaleOutCooldown?: number;
  ScaleInCooldown?: number;
  DisableScaleIn?: boolean;
}

export interface IScalingPolicy {
  PolicyName: string;
  PolicyType: string;
  ResourceId: string;
  TargetTrackingScalingPolicyConfiguration?: ITargetTrackingConfiguration;
}

/** Pending, InProgress, Successful, Overridden, Unfulfilled or Failed. */
export type ScalingActivityStatus =
  | 'Pending'
  | 'InProgress'
  | 'Successful'
  | 'Overridden'
  | 'Unfulfilled'
  | 'Failed';

/** One change of a variant's instance count (or an attempt at one). */
export interface IScalingActivity {
  ActivityId: string;
  ResourceId: string;
  Description: string;
  Cause?: string;
  StartTime: string;
  EndTime?: string | null;
  StatusCode: ScalingActivityStatus | string;
  StatusMessage?: string | null;
}

export interface IEndpointAutoscaling {
  ScalableTargets: IScalableTarget[];
  ScalingPolicies: IScalingPolicy[];
  ScalingActivities: IScalingActivity[];
}

/** What an endpoint with no autoscaling answers. */
export const NO_AUTOSCALING: IEndpointAutoscaling = {
  ScalableTargets: [],
  ScalingPolicies: [],
  ScalingActivities: []
};

/**
 * The autoscaling of an endpoint's variants. An endpoint with none (or a server
 * without the route, or an endpoint that is gone) answers `NO_AUTOSCALING`.
 *
 * @throws {StudioApiError} on any other refusal of the server.
 */
export async function getEndpointAutoscaling(
  name: string
): Promise<IEndpointAutoscaling> {
  try {
    const answer = await requestAPI<Partial<IEndpointAutoscaling>>(
      `endpoints/${encodeURIComponent(name)}/autoscaling`
    );
    return {
      ScalableTargets: answer.ScalableTargets ?? [],
      ScalingPolicies: answer.ScalingPolicies ?? [],
      ScalingActivities: answer.ScalingActivities ?? []
    };
  } catch (error) {
    const none =
      (error instanceof StudioApiError && error.status === 404) ||
      (error instanceof ServerExtensionMissingError &&
        error.reason === 'route-missing');
    if (none) {
      return NO_AUTOSCALING;
    }
    throw error;
  }
}
