/**
 * The models behind the ML Studio sidebar, and what they share: the refresh interval,
 * whether the sidebar is on screen, whether the server extension answers at all, and
 * the artifact root the views print URIs against.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ArtifactRoot } from './artifactRoot';
import { EndpointsModel } from './endpoints';
import { ExperimentsModel } from './experiments';
import { JobsModel } from './jobs';
import { ModelGroupsModel } from './registry';
import {
  DEFAULT_REFRESH_INTERVAL,
  SectionModel,
  SectionState
} from './section';
import { TuningJobsModel } from './tuningJobs';

export type SectionName =
  'experiments' | 'jobs' | 'tuning' | 'endpoints' | 'models';

/** Why the API does not answer, when it does not. */
export type MissingExtension = Extract<
  SectionState<unknown>,
  { kind: 'missing-extension' }
>;

export class StudioModel implements IDisposable {
  constructor(options: StudioModel.IOptions = {}) {
    const sectionOptions = {
      interval: options.interval ?? DEFAULT_REFRESH_INTERVAL,
      standby: options.standby
    };
    this.experiments = new ExperimentsModel(sectionOptions);
    this.jobs = new JobsModel(sectionOptions);
    this.tuning = new TuningJobsModel(sectionOptions);
    this.endpoints = new EndpointsModel(sectionOptions);
    this.models = new ModelGroupsModel(sectionOptions);
    for (const section of this._sections()) {
      section.stateChanged.connect(this._onSectionChanged, this);
    }
  }

  readonly experiments: ExperimentsModel;
  readonly jobs: JobsModel;
  readonly tuning: TuningJobsModel;
  readonly endpoints: EndpointsModel;
  /** The model registry's groups (the Models section). */
  readonly models: ModelGroupsModel;
  /** The studio's artifact root (from the health route), read when a view opens. */
  readonly artifactRoot = new ArtifactRoot();

  /** Set when the last answer of any section said the server extension is missing. */
  get missingExtension(): MissingExtension | null {
    return this._missing;
  }

  /** Emitted when `missingExtension` changes. */
  get missingExtensionChanged(): ISignal<this, MissingExtension | null> {
    return this._missingChanged;
  }

  /** Seconds between polls, applied to every section. */
  get interval(): number {
    return this.experiments.interval;
  }
  set interval(seconds: number) {
    for (const section of this._sections()) {
      section.interval = seconds;
    }
  }

  /** Whether the sidebar is on screen; sections only poll while it is. */
  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    this._visible = value;
    this._updateActive();
  }

  /** Record whether a section is expanded in the sidebar. */
  setExpanded(name: SectionName, expanded: boolean): void {
    this._expanded[name] = expanded;
    this._updateActive();
  }

  /** Refresh every section that is on screen. */
  async refresh(): Promise<void> {
    await Promise.all(this._sections().map(section => section.refresh()));
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const section of this._sections()) {
      section.dispose();
    }
    this.artifactRoot.dispose();
    Signal.clearData(this);
  }

  private _sections(): SectionModel<unknown>[] {
    return [
      this.experiments,
      this.jobs,
      this.tuning,
      this.endpoints,
      this.models
    ];
  }

  private _updateActive(): void {
    this.experiments.active = this._visible && this._expanded.experiments;
    this.jobs.active = this._visible && this._expanded.jobs;
    this.tuning.active = this._visible && this._expanded.tuning;
    this.endpoints.active = this._visible && this._expanded.endpoints;
    this.models.active = this._visible && this._expanded.models;
  }

  private _onSectionChanged(
    sender: SectionModel<unknown>,
    state: SectionState<unknown>
  ): void {
    let missing: MissingExtension | null = this._missing;
    if (state.kind === 'missing-extension') {
      missing = state;
    } else if (state.kind !== 'loading') {
      missing = null; // the API answered
    }
    if (missing?.message !== this._missing?.message) {
      this._missing = missing;
      this._missingChanged.emit(missing);
    }
  }

  private _expanded: Record<SectionName, boolean> = {
    experiments: true,
    jobs: true,
    tuning: true,
    endpoints: true,
    models: true
  };
  private _isDisposed = false;
  private _missing: MissingExtension | null = null;
  private _missingChanged = new Signal<this, MissingExtension | null>(this);
  private _visible = false;
}

export namespace StudioModel {
  export interface IOptions {
    /** Seconds between polls. */
    interval?: number;
    /** When sections stand by besides being off screen; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}
