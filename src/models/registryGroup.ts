/**
 * One model package group for its main-area view: the group and its versions (filtered
 * by approval status on the server), each version described (its metrics, inference
 * specification and customer metadata) and its metrics reports read; the table's order
 * and open rows; Approve and Reject. Polled while the view is on screen.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  describeModelPackage,
  describeModelPackageGroup,
  IModelPackage,
  IModelPackageGroup,
  IModelPackageSummary,
  listModelPackages,
  MAX_VERSIONS,
  ModelApprovalStatus,
  updateModelPackage
} from '../api/registry';
import { ArtifactRoot } from './artifactRoot';
import { IDeploySource } from './endpointDeploy';
import { Poller } from './poller';
import {
  DEFAULT_VERSION_SORT,
  IVersionSort,
  metricsSources,
  nextVersionSort,
  packageDeploySource,
  sortVersions,
  VersionColumn
} from './registry';
import { ReportStore } from './registryReports';

/** One version in the view: its summary, and its description once read. */
export interface IVersionRow {
  summary: IModelPackageSummary;
  /** Null until described. */
  described: IModelPackage | null;
}

export type ModelGroupState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; group: IModelPackageGroup; versions: IVersionRow[] };

/** Seconds after which a version that did not change is described again. */
export const DESCRIBE_MAX_AGE = 60;

/** The most versions described, and whose reports are read, per poll. */
export const MAX_DESCRIBED = 100;

interface IAnswer {
  group: IModelPackageGroup;
  versions: IVersionRow[];
  /** The approval filter the versions were read with. */
  filter: ModelApprovalStatus | '';
}

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

export class ModelGroupModel implements IDisposable {
  constructor(
    readonly name: string,
    options: ModelGroupModel.IOptions = {}
  ) {
    const root = options.artifactRoot ?? null;
    this.reports = new ReportStore(async () => {
      await root?.load();
      return root?.uri ?? null;
    }, options.serverRoot ?? '');
    this._poller = new Poller<IAnswer>({
      name: `model-group:${name}`,
      interval: options.interval,
      standby: options.standby,
      request: () => this._read(),
      apply: answer => this._received(answer),
      fail: error => {
        this._refreshError = message(error);
        if (!this._answer) {
          this._state = { kind: 'error', message: message(error) };
        }
        this._emit();
      }
    });
  }

  /** The metrics reports of the versions, read once each. */
  readonly reports: ReportStore;

  get state(): ModelGroupState {
    return this._state;
  }

  /** Emitted when the group, its versions, the filter, the order or an open row changes. */
  get stateChanged(): ISignal<this, ModelGroupState> {
    return this._stateChanged;
  }

  /** The error of the last refresh when it failed after the group had loaded. */
  get refreshError(): string | null {
    return this._refreshError;
  }

  /** Only versions in this approval status; '' for all. */
  get approvalFilter(): ModelApprovalStatus | '' {
    return this._filter;
  }
  set approvalFilter(value: ModelApprovalStatus | '') {
    if (value === this._filter) {
      return;
    }
    this._filter = value;
    this._emit();
    void this.refresh();
  }

  /** Whether the versions shown were read with the current filter. */
  get filterApplied(): boolean {
    return this._answer?.filter === this._filter;
  }

  get sort(): IVersionSort {
    return this._sort;
  }

  /** Sort by `column`; the same column again reverses the order. */
  sortBy(column: VersionColumn): void {
    this._sort = nextVersionSort(this._sort, column);
    this._emit();
  }

  /** The versions in the table's order. */
  get versions(): IVersionRow[] {
    return sortVersions(
      this._answer?.versions ?? [],
      this._sort,
      row => row.summary
    );
  }

  /** Whether a version's details are open. */
  isExpanded(version: number): boolean {
    return this._expanded.has(version);
  }

  /** Open or close a version's details (opening reads its reports again if they failed). */
  setExpanded(version: number, expanded: boolean): void {
    if (expanded === this._expanded.has(version)) {
      return;
    }
    if (expanded) {
      this._expanded.add(version);
      const row = this._answer?.versions.find(
        v => v.summary.ModelPackageVersion === version
      );
      if (row?.described) {
        for (const source of metricsSources(row.described)) {
          void this.reports.load(source.S3Uri, true);
        }
      }
    } else {
      this._expanded.delete(version);
    }
    this._emit();
  }

  /** Whether an approval change of `version` is in flight. */
  isUpdating(version: number): boolean {
    return this._updating.has(version);
  }

  /**
   * Set a version's approval status (with an optional description), show the answer at
   * once, then reload.
   *
   * @throws {StudioApiError} when the server refuses.
   */
  async setApproval(
    version: number,
    status: ModelApprovalStatus,
    description?: string
  ): Promise<IModelPackage> {
    this._updating.add(version);
    this._emit();
    try {
      const text = description?.trim();
      const updated = await updateModelPackage(this.name, version, {
        ModelApprovalStatus: status,
        ...(text ? { ApprovalDescription: text } : {})
      });
      this._described.set(version, {
        key: describeKey(updated),
        at: Date.now(),
        pkg: updated
      });
      this._replace(updated);
      return updated;
    } finally {
      this._updating.delete(version);
      this._emit();
      void this.refresh();
    }
  }

  /** Approve a version. */
  approve(version: number, description?: string): Promise<IModelPackage> {
    return this.setApproval(version, 'Approved', description);
  }

  /** Reject a version. */
  reject(version: number, description?: string): Promise<IModelPackage> {
    return this.setApproval(version, 'Rejected', description);
  }

  /**
   * What deploying a version deploys, read afresh (its approval may have changed
   * since the table was drawn); null when it has no model.
   *
   * @throws {StudioApiError} when it cannot be read.
   */
  async deploySource(version: number): Promise<{
    pkg: IModelPackage;
    source: IDeploySource | null;
  }> {
    const pkg = await describeModelPackage(this.name, version);
    this._described.set(version, {
      key: describeKey(pkg),
      at: Date.now(),
      pkg
    });
    this._replace(pkg);
    this._emit();
    return { pkg, source: packageDeploySource(pkg) };
  }

  /**
   * Whether the view is on screen: the group polls only while it is; becoming active
   * reloads it at once.
   */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
  }

  /** Seconds between reloads. */
  get interval(): number {
    return this._poller.interval;
  }
  set interval(seconds: number) {
    this._poller.interval = seconds;
  }

  /** Load now (the view calls it when it opens and on its refresh button). */
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
    this.reports.dispose();
    Signal.clearData(this);
  }

  /** The group, its versions, and the descriptions of those that changed. */
  private async _read(): Promise<IAnswer> {
    const filter = this._filter;
    const [group, page] = await Promise.all([
      describeModelPackageGroup(this.name),
      listModelPackages(this.name, {
        ModelApprovalStatus: filter || undefined,
        SortOrder: 'Descending',
        MaxResults: MAX_VERSIONS
      })
    ]);
    const summaries = page.ModelPackageSummaryList;
    const now = Date.now();
    await Promise.all(
      summaries.slice(0, MAX_DESCRIBED).map(async summary => {
        const version = summary.ModelPackageVersion;
        const known = this._described.get(version);
        if (
          known &&
          known.key === describeKey(summary) &&
          now - known.at < DESCRIBE_MAX_AGE * 1000
        ) {
          return;
        }
        try {
          const pkg = await describeModelPackage(this.name, version);
          this._described.set(version, { key: describeKey(pkg), at: now, pkg });
        } catch {
          // keep what was known; the next poll tries again
        }
      })
    );
    return {
      group,
      filter,
      versions: summaries.map(summary => ({
        summary,
        described: this._described.get(summary.ModelPackageVersion)?.pkg ?? null
      }))
    };
  }

  private _received(answer: IAnswer): void {
    this._answer = answer;
    this._refreshError = null;
    this._state = {
      kind: 'ready',
      group: answer.group,
      versions: answer.versions
    };
    for (const row of answer.versions.slice(0, MAX_DESCRIBED)) {
      for (const source of row.described ? metricsSources(row.described) : []) {
        void this.reports.load(source.S3Uri);
      }
    }
    this._emit();
  }

  /** Show a version as described now (after an update or a fresh describe). */
  private _replace(pkg: IModelPackage): void {
    if (!this._answer) {
      return;
    }
    const versions = this._answer.versions.map(row =>
      row.summary.ModelPackageVersion === pkg.ModelPackageVersion
        ? {
            summary: {
              ...row.summary,
              ModelApprovalStatus: pkg.ModelApprovalStatus
            },
            described: pkg
          }
        : row
    );
    this._answer = { ...this._answer, versions };
    this._state = { kind: 'ready', group: this._answer.group, versions };
  }

  private _emit(): void {
    this._stateChanged.emit(this._state);
  }

  private _answer: IAnswer | null = null;
  private _described = new Map<
    number,
    { key: string; at: number; pkg: IModelPackage }
  >();
  private _expanded = new Set<number>();
  private _filter: ModelApprovalStatus | '' = '';
  private _poller: Poller<IAnswer>;
  private _refreshError: string | null = null;
  private _sort: IVersionSort = DEFAULT_VERSION_SORT;
  private _state: ModelGroupState = { kind: 'loading' };
  private _stateChanged = new Signal<this, ModelGroupState>(this);
  private _updating = new Set<number>();
}

/** What, when it changes, makes a version worth describing again. */
function describeKey(version: IModelPackageSummary): string {
  return `${version.ModelApprovalStatus}|${version.ModelPackageDescription ?? ''}`;
}

export namespace ModelGroupModel {
  export interface IOptions {
    /** Seconds between reloads; defaults to the refresh interval's default. */
    interval?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
    /** The studio's artifact root: reports under it are read through the API. */
    artifactRoot?: ArtifactRoot | null;
    /** The Jupyter server's root folder: reports under it are read as files. */
    serverRoot?: string;
  }
}
