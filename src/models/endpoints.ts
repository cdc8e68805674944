/**
 * The endpoints section: each endpoint with its variants (traffic split) and how many
 * requests it answered lately. The list is what the section needs to show; variants
 * and figures are best effort: a failing describe or metrics call keeps what was known.
 * A describe is repeated when the endpoint changed (status or modification time) or
 * after `DESCRIBE_MAX_AGE` seconds; figures are read on every poll while in service. While an endpoint is being
 * created, updated or deleted the list polls every `LIVE_INTERVAL` seconds. The
 * monitoring schedules are listed on each poll (best effort) to mark the endpoints
 * whose latest monitoring execution found violations.
 */
import {
  deleteEndpoint,
  describeEndpoint,
  getEndpointMetrics,
  IEndpointSummary,
  IEndpointVariant,
  listEndpoints
} from '../api/endpoints';
import {
  IMonitoringScheduleSummary,
  listMonitoringSchedules
} from '../api/monitoring';
import { LIVE_INTERVAL } from './jobs';
import { violationsByEndpoint } from './monitoringSpec';
import { SectionModel } from './section';

/** The most endpoints whose variants and figures are fetched on each poll. */
export const MAX_DETAILED = 50;

/** The most monitoring schedules read for the violations badges. */
export const MAX_SCHEDULES = 1000;

/** Seconds after which an unchanged endpoint is described again. */
export const DESCRIBE_MAX_AGE = 30;

/** One row of the section. */
export interface IEndpointRow {
  endpoint: IEndpointSummary;
  /** The live variants, once described (null until then). */
  variants: IEndpointVariant[] | null;
  /** Requests answered over the figures' window (null until known). */
  invocations: number | null;
  /** The monitoring schedules whose latest execution found violations. */
  violations?: IMonitoringScheduleSummary[];
}

/** Whether an endpoint is between states (the list then polls faster). */
export function isTransitional(status: string): boolean {
  return (
    status === 'Creating' ||
    status === 'Updating' ||
    status === 'SystemUpdating' ||
    status === 'RollingBack' ||
    status === 'Deleting'
  );
}

const describeKey = (endpoint: IEndpointSummary) =>
  `${endpoint.EndpointStatus}|${endpoint.LastModifiedTime}`;

export class EndpointsModel extends SectionModel<IEndpointRow> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'endpoints', ...options });
    this.stateChanged.connect(this._onStateChanged, this);
  }

  /** Whether a listed endpoint is changing state. */
  get live(): boolean {
    return this._live;
  }

  /**
   * Delete an endpoint, then refresh the list.
   *
   * @throws {StudioApiError} when the server refuses.
   */
  async delete(name: string): Promise<void> {
    await deleteEndpoint(name);
    await this.refresh();
  }

  protected async fetch(): Promise<IEndpointRow[]> {
    const [{ Endpoints: endpoints }, violations] = await Promise.all([
      listEndpoints(),
      // Best effort: a server without Model Monitor answers no badge.
      listMonitoringSchedules({ MaxResults: MAX_SCHEDULES }).then(
        answer =>
          violationsByEndpoint(answer.MonitoringScheduleSummaries ?? []),
        () => new Map<string, IMonitoringScheduleSummary[]>()
      )
    ]);
    const detailed = endpoints.slice(0, MAX_DETAILED);
    await Promise.all(detailed.map(endpoint => this._details(endpoint)));
    const names = new Set(endpoints.map(e => e.EndpointName));
    for (const name of this._known.keys()) {
      if (!names.has(name)) {
        this._known.delete(name);
      }
    }
    return endpoints.map(endpoint => {
      const known = this._known.get(endpoint.EndpointName);
      return {
        endpoint,
        variants: known?.variants ?? null,
        invocations: known?.invocations ?? null,
        violations: violations.get(endpoint.EndpointName) ?? []
      };
    });
  }

  private _onStateChanged(): void {
    if (this.state.kind !== 'ready') {
      return;
    }
    this._live = this.state.items.some(row =>
      isTransitional(row.endpoint.EndpointStatus)
    );
    this.liveInterval = this._live ? LIVE_INTERVAL : null;
  }

  /** Refresh what is known of an endpoint's variants and figures (never throws). */
  private async _details(endpoint: IEndpointSummary): Promise<void> {
    const name = endpoint.EndpointName;
    const known = this._known.get(name) ?? {
      key: '',
      at: 0,
      variants: null,
      invocations: null
    };
    this._known.set(name, known);
    const key = describeKey(endpoint);
    const serving = endpoint.EndpointStatus === 'InService';
    await Promise.all([
      key !== known.key || Date.now() - known.at > DESCRIBE_MAX_AGE * 1000
        ? describeEndpoint(name).then(
            described => {
              known.variants = described.ProductionVariants ?? [];
              known.at = Date.now();
              // Only a finished state is final: keep describing while it changes.
              known.key = isTransitional(endpoint.EndpointStatus) ? '' : key;
            },
            () => undefined
          )
        : null,
      serving || endpoint.EndpointStatus === 'Updating'
        ? getEndpointMetrics(name).then(
            metrics => {
              known.invocations = metrics.Variants.reduce(
                (sum, variant) => sum + (variant.Invocations ?? 0),
                0
              );
            },
            () => undefined
          )
        : null
    ]);
  }

  private _known = new Map<
    string,
    {
      key: string;
      at: number;
      variants: IEndpointVariant[] | null;
      invocations: number | null;
    }
  >();
  private _live = false;
}
