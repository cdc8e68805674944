/**
 * Endpoint autoscaling: an endpoint's scalable targets (one a variant), their
 * target-tracking policies and the scaling activities that changed their instance
 * counts, in Application Auto Scaling's field names. The types are aliases of those
 * generated from the server's OpenAPI document (`schema.d.ts`, `jlpm api:types`).
 */
import {
  requestAPI,
  ServerExtensionMissingError,
  StudioApiError
} from './request';
import { Schemas } from './types';

/** A variant whose instance count autoscaling keeps between its bounds. */
export type IScalableTarget = Schemas['ScalableTarget'];
/** What a target-tracking policy keeps near its target. */
export type ITargetTrackingConfiguration =
  Schemas['TargetTrackingConfiguration'];
export type IScalingPolicy = Schemas['ScalingPolicy'];
/** One change of a variant's instance count (or an attempt at one). */
export type IScalingActivity = Schemas['ScalingActivity'];
/** Pending, InProgress, Successful, Overridden, Unfulfilled or Failed. */
export type ScalingActivityStatus = IScalingActivity['StatusCode'];
/** The endpoint view's answer: targets, policies and activities (newest first). */
export type IEndpointAutoscaling = Schemas['EndpointAutoscaling'];

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
