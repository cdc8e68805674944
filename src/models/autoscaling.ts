/**
 * The Autoscaling tab of an endpoint's view: each variant's scalable target (its
 * minimum and maximum instance count), its target-tracking policy and the scaling
 * activities that added or removed instances, newest first. It polls through one
 * `Poller` while the tab is on screen, every `LIVE_INTERVAL` seconds while an activity
 * is pending or in progress. The variants' current and desired instance counts come
 * from the endpoint itself (its model polls it).
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import {
  getEndpointAutoscaling,
  IEndpointAutoscaling,
  IScalableTarget,
  IScalingActivity,
  IScalingPolicy,
  NO_AUTOSCALING
} from '../api/autoscaling';
import { LIVE_INTERVAL } from './jobs';
import { Poller } from './poller';

/** How many activities the tab lists per variant (newest first). */
export const MAX_ACTIVITIES = 50;

/** The statuses of an activity that has not ended. */
const OPEN_STATUSES = new Set(['Pending', 'InProgress']);

/** The autoscaling of one variant of the endpoint. */
export interface IVariantScaling {
  variant: string;
  /** Its scalable target; null when autoscaling does not manage it. */
  target: IScalableTarget | null;
  policies: IScalingPolicy[];
  /** Newest first, at most `MAX_ACTIVITIES`. */
  activities: IScalingActivity[];
}

/**
 * The variant an Application Auto Scaling resource id names
 * (`endpoint/<endpoint>/variant/<variant>`), or null for another endpoint's or
 * another form.
 */
export function variantOfResource(
  resourceId: string,
  endpointName: string
): string | null {
  const prefix = `endpoint/${endpointName}/variant/`;
  return resourceId.startsWith(prefix)
    ? resourceId.slice(prefix.length) || null
    : null;
}

/** Newest first; an activity without a valid start time last. */
export function newestFirst(
  activities: IScalingActivity[]
): IScalingActivity[] {
  const time = (activity: IScalingActivity) => {
    const value = Date.parse(activity.StartTime);
    return Number.isNaN(value) ? -Infinity : value;
  };
  return [...activities].sort((a, b) => time(b) - time(a));
}

/**
 * The autoscaling of each variant: the endpoint's variants in their order, then any
 * other variant the answer names (a variant the endpoint no longer has).
 */
export function scalingByVariant(
  answer: IEndpointAutoscaling,
  endpointName: string,
  variantNames: string[]
): IVariantScaling[] {
  const byVariant = new Map<string, IVariantScaling>();
  const entry = (variant: string) => {
    let scaling = byVariant.get(variant);
    if (!scaling) {
      scaling = { variant, target: null, policies: [], activities: [] };
      byVariant.set(variant, scaling);
    }
    return scaling;
  };
  for (const name of variantNames) {
    entry(name);
  }
  for (const target of answer.ScalableTargets) {
    const variant = variantOfResource(target.ResourceId, endpointName);
    if (variant) {
      entry(variant).target = target;
    }
  }
  for (const policy of answer.ScalingPolicies) {
    const variant = variantOfResource(policy.ResourceId, endpointName);
    if (variant) {
      entry(variant).policies.push(policy);
    }
  }
  for (const activity of answer.ScalingActivities) {
    const variant = variantOfResource(activity.ResourceId, endpointName);
    if (variant) {
      entry(variant).activities.push(activity);
    }
  }
  for (const scaling of byVariant.values()) {
    scaling.activities = newestFirst(scaling.activities).slice(
      0,
      MAX_ACTIVITIES
    );
  }
  return [...byVariant.values()];
}

/** Whether any activity is pending or in progress (the tab then polls faster). */
export function scalingLive(activities: IScalingActivity[]): boolean {
  return activities.some(activity => OPEN_STATUSES.has(activity.StatusCode));
}

/** Whether the endpoint has anything to show: a scalable target or a policy. */
export function hasAutoscaling(answer: IEndpointAutoscaling): boolean {
  return (
    answer.ScalableTargets.length > 0 ||
    answer.ScalingPolicies.length > 0 ||
    answer.ScalingActivities.length > 0
  );
}

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

export class AutoscalingModel implements IDisposable {
  constructor(
    readonly endpointName: string,
    options: AutoscalingModel.IOptions = {}
  ) {
    this._poller = new Poller<IEndpointAutoscaling>({
      name: `autoscaling:${endpointName}`,
      interval: options.interval,
      standby: options.standby,
      active: options.active ?? false,
      request: () => getEndpointAutoscaling(endpointName),
      apply: answer => {
        this.error = '';
        this.loaded = true;
        this.autoscaling = answer;
        this._poller.liveInterval = scalingLive(answer.ScalingActivities)
          ? LIVE_INTERVAL
          : null;
        this.changed.emit(undefined);
      },
      fail: error => {
        this.error = message(error);
        this.changed.emit(undefined);
      }
    });
  }

  /** Emitted when anything shown changes. */
  readonly changed = new Signal<this, void>(this);

  /** The last request's error ('' after an answer). */
  error = '';

  /** Whether an answer arrived. */
  loaded = false;

  /** The last answer (empty lists until one arrives). */
  autoscaling: IEndpointAutoscaling = NO_AUTOSCALING;

  /** Seconds between polls now (shorter while an activity runs). */
  get pollInterval(): number {
    return this._poller.pollInterval;
  }

  /** Whether the tab is on screen (it polls only then; becoming so reloads it). */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
  }

  /** Load now. */
  async refresh(): Promise<void> {
    await this._poller.refresh();
  }

  get isDisposed(): boolean {
    return this._poller.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.dispose();
    Signal.clearData(this);
  }

  private _poller: Poller<IEndpointAutoscaling>;
}

export namespace AutoscalingModel {
  export interface IOptions {
    /** Seconds between polls while no activity runs. */
    interval?: number;
    standby?: Poll.Standby;
    /** Whether the tab starts on screen; defaults to false. */
    active?: boolean;
  }
}
