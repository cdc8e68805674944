/**
 * One endpoint for its main-area view: the endpoint with its live variants (polled, faster
 * while it changes state), its figures, its captured requests, the log of the instance
 * on screen, the configurations it can switch to, and what the view does to it
 * (weights, configuration, test invocations, delete).
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  dataCaptureConfig,
  deleteEndpoint,
  describeEndpoint,
  getEndpointMetrics,
  ICaptureRecord,
  ICapturesResponse,
  IEndpoint,
  IEndpointMetrics,
  IEndpointVariant,
  IInvocation,
  IInvocationResult,
  invokeEndpoint,
  listCaptures,
  updateEndpoint,
  updateEndpointWeights
} from '../api/endpoints';
import { StudioApiError } from '../api/request';
import { EndpointConfigsModel } from './endpointConfigs';
import { EndpointLog } from './endpointLog';
import { isTransitional } from './endpoints';
import { LIVE_INTERVAL } from './jobs';
import { AutoscalingModel } from './autoscaling';
import { MonitoringModel } from './monitoring';
import { DEFAULT_REFRESH_INTERVAL, Poller } from './poller';

export type EndpointState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string; gone: boolean }
  | { kind: 'ready'; endpoint: IEndpoint };

/** The tabs of an endpoint's view. */
export type EndpointTab = 'overview' | 'autoscaling' | 'monitoring';

/** How many captured records the view lists. */
export const MAX_CAPTURES = 50;

/** Whether an endpoint answers requests (figures and captures change then). */
export function isServing(
  endpoint: Pick<IEndpoint, 'EndpointStatus'>
): boolean {
  return (
    endpoint.EndpointStatus === 'InService' ||
    endpoint.EndpointStatus === 'Updating'
  );
}

/** Whether the endpoint records its requests. */
export function capturesData(endpoint: IEndpoint): boolean {
  return !!dataCaptureConfig(endpoint)?.EnableCapture;
}

/** The hosts of a variant: its instances, or algo-1 … algo-N before they are known. */
export function variantHosts(variant: IEndpointVariant | undefined): string[] {
  const instances = variant?.Instances ?? [];
  if (instances.length) {
    return instances.map(instance => instance.Host);
  }
  const count = Math.max(
    1,
    variant?.CurrentInstanceCount ?? variant?.DesiredInstanceCount ?? 1
  );
  return Array.from({ length: count }, (_, i) => `algo-${i + 1}`);
}

export class EndpointModel implements IDisposable {
  constructor(
    readonly name: string,
    options: EndpointModel.IOptions = {}
  ) {
    this._options = options;
    const interval = options.interval ?? DEFAULT_REFRESH_INTERVAL;
    const standby = options.standby;
    this._poller = new Poller({
      name: `endpoint:${name}`,
      interval,
      standby,
      idle: () => this._gone,
      request: () => describeEndpoint(this.name),
      apply: endpoint => this._setEndpoint(endpoint),
      fail: error => this._failed(error)
    });
    this._figuresPoller = new Poller({
      name: `endpoint-figures:${name}`,
      interval: options.figuresInterval ?? interval,
      standby,
      idle: () => this._gone || !this._endpoint || !isServing(this._endpoint),
      request: () => getEndpointMetrics(this.name),
      apply: metrics => {
        this._metrics = metrics;
        this._metricsError = null;
        this._metricsChanged.emit();
      },
      fail: error => {
        this._metricsError = errorMessage(error);
        this._metricsChanged.emit();
      }
    });
    this._capturesPoller = new Poller({
      name: `endpoint-captures:${name}`,
      interval: options.figuresInterval ?? interval,
      standby,
      idle: () =>
        this._gone || !this._endpoint || !capturesData(this._endpoint),
      request: () =>
        listCaptures(
          this.name,
          this._captureVariant || undefined,
          MAX_CAPTURES
        ),
      apply: answer => {
        this._captures = answer.Records ?? [];
        this._capturesError = null;
        this._capturesChanged.emit();
      },
      fail: error => {
        this._capturesError = errorMessage(error);
        this._capturesChanged.emit();
      }
    });
    this.configs = new EndpointConfigsModel({ standby });
  }

  /** The endpoint configurations it can switch to. */
  readonly configs: EndpointConfigsModel;

  get state(): EndpointState {
    return this._state;
  }

  /** The endpoint, once loaded. */
  get endpoint(): IEndpoint | null {
    return this._endpoint;
  }

  /** Emitted when the endpoint or the log on screen changes. */
  get stateChanged(): ISignal<this, EndpointState> {
    return this._stateChanged;
  }

  /** The latest figures (null until read). */
  get metrics(): IEndpointMetrics | null {
    return this._metrics;
  }

  /** Why the figures could not be read, until they can. */
  get metricsError(): string | null {
    return this._metricsError;
  }

  get metricsChanged(): ISignal<this, void> {
    return this._metricsChanged;
  }

  /** The newest captured requests (null until read). */
  get captures(): ICaptureRecord[] | null {
    return this._captures;
  }

  get capturesError(): string | null {
    return this._capturesError;
  }

  /** Only this variant's captured requests; '' for all. */
  get captureVariant(): string {
    return this._captureVariant;
  }
  set captureVariant(value: string) {
    if (value === this._captureVariant) {
      return;
    }
    this._captureVariant = value;
    this._captures = null;
    this._capturesChanged.emit();
    // Supersedes a read of the previous variant's requests still in flight.
    void this.refreshCaptures();
  }

  get capturesChanged(): ISignal<this, void> {
    return this._capturesChanged;
  }

  /** The variants, as last described. */
  get variants(): IEndpointVariant[] {
    return this._endpoint?.ProductionVariants ?? [];
  }

  /** The variant whose instance log is shown. */
  get logVariant(): string {
    return this._logVariant || this.variants[0]?.VariantName || '';
  }
  set logVariant(value: string) {
    if (value === this.logVariant) {
      return;
    }
    this._logVariant = value;
    this._logHost = '';
    this._emit();
  }

  /** The hosts of the variant whose log is shown. */
  get logHosts(): string[] {
    return variantHosts(
      this.variants.find(v => v.VariantName === this.logVariant)
    );
  }

  /** The instance whose log is shown. */
  get logHost(): string {
    const hosts = this.logHosts;
    return hosts.includes(this._logHost) ? this._logHost : hosts[0];
  }
  set logHost(value: string) {
    if (value === this.logHost) {
      return;
    }
    this._logHost = value;
    this._emit();
  }

  /**
   * The log of the instance on screen (null before the variants are known). A new
   * instance (a restart) or the endpoint coming into service starts a new log; while
   * the endpoint is Creating the server answers the starting instance's log.
   */
  get log(): EndpointLog | null {
    const variant = this.logVariant;
    const endpoint = this._endpoint;
    if (!variant || !endpoint || this._gone) {
      return null;
    }
    const host = this.logHost;
    const instance = this.variants
      .find(v => v.VariantName === variant)
      ?.Instances?.find(i => i.Host === host);
    const phase = isServing(endpoint) ? 'live' : endpoint.EndpointStatus;
    const key = `${variant}/${host}/${instance?.StartedAt ?? ''}/${phase}`;
    if (!this._log || this._logKey !== key) {
      this._log?.dispose();
      this._log = new EndpointLog(this.name, variant, host, {
        interval: this._options.logInterval,
        standby: this._options.standby,
        active: this.active && this._tab === 'overview'
      });
      this._logKey = key;
    }
    return this._log;
  }

  /** The tab on screen: the overview, the Autoscaling or the Monitoring tab. */
  get tab(): EndpointTab {
    return this._tab;
  }
  set tab(value: EndpointTab) {
    if (value === this._tab) {
      return;
    }
    this._tab = value;
    this._activate();
    this._emit();
  }

  /** The Monitoring tab's schedules and reports (polled only while it is on screen). */
  get monitoring(): MonitoringModel {
    if (!this._monitoring) {
      this._monitoring = new MonitoringModel(this.name, {
        interval: this._options.interval,
        standby: this._options.standby
      });
      this._activate();
    }
    return this._monitoring;
  }

  /** The Autoscaling tab's targets, policies and activities (polled while on screen). */
  get autoscaling(): AutoscalingModel {
    if (!this._autoscaling) {
      this._autoscaling = new AutoscalingModel(this.name, {
        interval: this._options.interval,
        standby: this._options.standby
      });
      this._activate();
    }
    return this._autoscaling;
  }

  /**
   * Whether the view is on screen. The endpoint polls only while it is, its figures,
   * captures and log only while the overview is too, the autoscaling and monitoring
   * only while their tab is; becoming active reloads them at once.
   */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
    this._activate();
  }

  /** Load the endpoint now (the view calls it when it opens and on refresh). */
  async refresh(): Promise<void> {
    await this._poller.refresh();
  }

  /** Read the figures now. */
  async refreshFigures(): Promise<void> {
    await this._figuresPoller.refresh();
  }

  /** Read the captured requests now. */
  async refreshCaptures(): Promise<void> {
    await this._capturesPoller.refresh();
  }

  /**
   * Send new traffic weights, then show the endpoint the server answers.
   *
   * @throws {StudioApiError} when the server refuses them.
   */
  async updateWeights(weights: Record<string, number>): Promise<void> {
    const endpoint = await updateEndpointWeights(
      this.name,
      Object.entries(weights).map(([VariantName, DesiredWeight]) => ({
        VariantName,
        DesiredWeight
      }))
    );
    if (endpoint?.ProductionVariants) {
      this._setEndpoint(endpoint);
    }
    await this.refresh();
  }

  /**
   * Move the endpoint to another endpoint configuration (blue/green: the current
   * instances answer until the new ones are ready), then show it Updating.
   *
   * @throws {StudioApiError} when the server refuses (unknown configuration, the
   * endpoint not in service).
   */
  async switchConfig(endpointConfigName: string): Promise<void> {
    await updateEndpoint(this.name, endpointConfigName);
    await this.refresh();
  }

  /**
   * Send a test request to the model; the figures and captures are read again after.
   *
   * @throws {StudioApiError} with the server's status when the invocation fails.
   */
  async invoke(invocation: IInvocation): Promise<IInvocationResult> {
    try {
      return await invokeEndpoint(this.name, invocation);
    } finally {
      if (!this.isDisposed) {
        void this.refreshFigures();
        void this.refreshCaptures();
      }
    }
  }

  /**
   * Delete the endpoint, then reload it (it shows Deleting, then that it is gone).
   *
   * @throws {StudioApiError} when the server refuses.
   */
  async delete(): Promise<void> {
    await deleteEndpoint(this.name);
    await this.refresh();
  }

  get isDisposed(): boolean {
    return this._poller.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.dispose();
    this._figuresPoller.dispose();
    this._capturesPoller.dispose();
    this.configs.dispose();
    this._log?.dispose();
    this._log = null;
    this._monitoring?.dispose();
    this._autoscaling?.dispose();
    Signal.clearData(this);
  }

  /** Only what the tab on screen shows polls, and only while the view is on screen. */
  private _activate(): void {
    const active = this._poller.active;
    const overview = active && this._tab === 'overview';
    this._figuresPoller.active = overview;
    this._capturesPoller.active = overview;
    this.configs.active = overview;
    if (this._log) {
      this._log.active = overview;
    }
    if (this._monitoring) {
      this._monitoring.active = active && this._tab === 'monitoring';
    }
    if (this._autoscaling) {
      this._autoscaling.active = active && this._tab === 'autoscaling';
    }
  }

  private _failed(error: unknown): void {
    const gone = error instanceof StudioApiError && error.status === 404;
    if (gone || !this._endpoint) {
      this._gone = gone;
      this._state = { kind: 'error', message: errorMessage(error), gone };
      this._emit();
    }
  }

  private _setEndpoint(endpoint: IEndpoint): void {
    const wasServing = !!this._endpoint && isServing(this._endpoint);
    const hadCapture = !!this._endpoint && capturesData(this._endpoint);
    this._endpoint = endpoint;
    this._gone = false;
    this._state = { kind: 'ready', endpoint };
    this._poller.liveInterval = isTransitional(endpoint.EndpointStatus)
      ? LIVE_INTERVAL
      : null;
    this._emit();
    // Figures and captures start as soon as the endpoint serves.
    if (isServing(endpoint) && !wasServing) {
      void this.refreshFigures();
    }
    if (capturesData(endpoint) && !hadCapture) {
      void this.refreshCaptures();
    }
  }

  private _emit(): void {
    if (!this.isDisposed) {
      this._stateChanged.emit(this._state);
    }
  }

  private _autoscaling: AutoscalingModel | null = null;
  private _captureVariant = '';
  private _captures: ICaptureRecord[] | null = null;
  private _capturesChanged = new Signal<this, void>(this);
  private _capturesError: string | null = null;
  private _capturesPoller: Poller<ICapturesResponse>;
  private _endpoint: IEndpoint | null = null;
  private _figuresPoller: Poller<IEndpointMetrics>;
  private _gone = false;
  private _logHost = '';
  private _log: EndpointLog | null = null;
  private _logKey = '';
  private _logVariant = '';
  private _metrics: IEndpointMetrics | null = null;
  private _metricsChanged = new Signal<this, void>(this);
  private _metricsError: string | null = null;
  private _monitoring: MonitoringModel | null = null;
  private _options: EndpointModel.IOptions;
  private _poller: Poller<IEndpoint>;
  private _state: EndpointState = { kind: 'loading' };
  private _stateChanged = new Signal<this, EndpointState>(this);
  private _tab: EndpointTab = 'overview';
}

export namespace EndpointModel {
  export interface IOptions {
    /** Seconds between reloads of the endpoint (2 at most while it changes state). */
    interval?: number;
    /** Seconds between reads of the figures and captured requests. */
    figuresInterval?: number;
    /** Seconds between log reads while the log grows. */
    logInterval?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
