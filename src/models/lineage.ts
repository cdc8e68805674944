/**
 * The lineage of one endpoint, model version, model or job: read when asked (no
 * polling: what produced a record does not change while it is shown), with a
 * stale-answer guard, and what each entity opens.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  getLineage,
  ILineage,
  ILineageEdge,
  ILineageEntity,
  ILineageQuery
} from '../api/lineage';
import type { JobKind } from '../api/types';

export type LineageState =
  | { kind: 'loading' }
  | { kind: 'ready'; lineage: ILineage }
  | { kind: 'error'; message: string; gone: boolean };

/**
 * The views an entity of a lineage opens; each is optional (an entity whose view
 * cannot be opened is shown without a link). The actions `addViewCommands` returns
 * have this shape.
 */
export interface ILineageActions {
  openJob?(kind: JobKind, name: string): void;
  openTuningJob?(name: string): void;
  openEndpoint?(name: string): void;
  openModelGroup?(name: string): void;
  openRun?(name: string): void;
  /** A pipeline execution: its pipeline's name and its id. */
  openPipelineExecution?(pipelineName: string, executionId: string): void;
}

let defaultActions: ILineageActions | null = null;

/**
 * Set the views every lineage list opens unless it is given its own actions (once,
 * with the actions `addViewCommands` returns).
 */
export function setLineageActions(actions: ILineageActions | null): void {
  defaultActions = actions;
}

/** The actions set with `setLineageActions`, if any. */
export function defaultLineageActions(): ILineageActions | null {
  return defaultActions;
}

const JOB_TYPES: ReadonlySet<string> = new Set([
  'TrainingJob',
  'ProcessingJob',
  'TransformJob',
  'AutoMLJob' // openJob opens the AutoML view
]);

/** What clicking `entity` does with `actions`, or null when it opens nothing. */
export function openerOf(
  entity: ILineageEntity,
  actions: ILineageActions | null | undefined
): (() => void) | null {
  if (!actions || entity.Details?.Deleted) {
    return null;
  }
  const name = entity.Name;
  if (JOB_TYPES.has(entity.Type) && actions.openJob) {
    const open = actions.openJob.bind(actions);
    return () => open(entity.Type as JobKind, name);
  }
  switch (entity.Type) {
    case 'HyperParameterTuningJob':
      return actions.openTuningJob ? () => actions.openTuningJob!(name) : null;
    case 'Endpoint':
      return actions.openEndpoint ? () => actions.openEndpoint!(name) : null;
    case 'ModelPackage': {
      const group = name.slice(0, name.lastIndexOf('/'));
      return actions.openModelGroup && group
        ? () => actions.openModelGroup!(group)
        : null;
    }
    case 'Run':
      return actions.openRun ? () => actions.openRun!(name) : null;
    case 'PipelineExecution':
    case 'PipelineStep': {
      const pipeline = entity.Details?.PipelineName;
      const arn =
        entity.Type === 'PipelineStep'
          ? (entity.Details?.PipelineExecutionArn ?? '')
          : name;
      const execution = arn.slice(arn.lastIndexOf('/') + 1);
      return actions.openPipelineExecution && pipeline && execution
        ? () => actions.openPipelineExecution!(pipeline, execution)
        : null;
    }
    default:
      return null;
  }
}

/** The first edge leading from `entity` downstream (what it went into), if any. */
export function downstreamOf(
  lineage: ILineage,
  entity: ILineageEntity
): { edge: ILineageEdge; target: ILineageEntity } | null {
  for (const edge of lineage.Edges) {
    if (edge.Source === entity.Id) {
      const target = lineage.Entities.find(e => e.Id === edge.Destination);
      if (target) {
        return { edge, target };
      }
    }
  }
  return null;
}

/** One lineage read; `load()` again to re-read (a newer read supersedes an older). */
export class LineageModel implements IDisposable {
  constructor(
    readonly query: ILineageQuery,
    private readonly _read: (
      query: ILineageQuery
    ) => Promise<ILineage> = getLineage
  ) {}

  get state(): LineageState {
    return this._state;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  async load(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    const request = ++this._request;
    if (this._state.kind !== 'ready') {
      this._set({ kind: 'loading' });
    }
    try {
      const lineage = await this._read(this.query);
      if (request === this._request && !this._isDisposed) {
        this._set({ kind: 'ready', lineage });
      }
    } catch (error) {
      if (request === this._request && !this._isDisposed) {
        const status = (error as { status?: number }).status;
        this._set({
          kind: 'error',
          message: error instanceof Error ? error.message : String(error),
          gone: status === 404
        });
      }
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _set(state: LineageState): void {
    this._state = state;
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _request = 0;
  private _state: LineageState = { kind: 'loading' };
}
