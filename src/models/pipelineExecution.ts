/**
 * One pipeline execution for its main-area view: the execution (status, parameters,
 * failure reason) and its steps, read together and polled while it is Executing or
 * Stopping; the definition it started with, read once, gives the graph; the selected step;
 * Stop and Retry.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  describePipelineDefinitionForExecution,
  describePipelineExecution,
  IPipelineExecution,
  IPipelineExecutionStep,
  listPipelineExecutionSteps,
  retryPipelineExecution,
  stopPipelineExecution
} from '../api/pipelines';
import { LIVE_INTERVAL } from './jobs';
import {
  buildGraph,
  IDefinitionParameter,
  IParsedDefinition,
  IPipelineGraph,
  IStepNode,
  isLiveExecution,
  parseDefinition
} from './pipelineGraph';
import { Poller } from './poller';

export type PipelineExecutionState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | {
      kind: 'ready';
      execution: IPipelineExecution;
      steps: IPipelineExecutionStep[];
      graph: IPipelineGraph;
    };

interface IAnswer {
  execution: IPipelineExecution;
  steps: IPipelineExecutionStep[];
  definition: IParsedDefinition;
}

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

export class PipelineExecutionModel implements IDisposable {
  /**
   * @param pipelineName - the execution's pipeline.
   * @param executionId - the execution's id (the last segment of its ARN).
   */
  constructor(
    readonly pipelineName: string,
    readonly executionId: string,
    options: PipelineExecutionModel.IOptions = {}
  ) {
    this._poller = new Poller<IAnswer>({
      name: `pipeline-execution:${executionId}`,
      interval: options.interval ?? LIVE_INTERVAL,
      standby: options.standby,
      idle: () =>
        !!this._answer &&
        !isLiveExecution(this._answer.execution.PipelineExecutionStatus),
      request: async () => {
        const [execution, steps, definition] = await Promise.all([
          describePipelineExecution(executionId),
          listPipelineExecutionSteps(executionId),
          this._definition ?? this._readDefinition()
        ]);
        return { execution, steps, definition };
      },
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

  get state(): PipelineExecutionState {
    return this._state;
  }

  /** Emitted when the execution, its steps, the selection or an error changes. */
  get stateChanged(): ISignal<this, PipelineExecutionState> {
    return this._stateChanged;
  }

  /** The execution, once loaded. */
  get execution(): IPipelineExecution | null {
    return this._answer?.execution ?? null;
  }

  /** The execution's status, once loaded. */
  get status(): string | null {
    return this._answer?.execution.PipelineExecutionStatus ?? null;
  }

  /** The graph of the definition with each step's state. */
  get graph(): IPipelineGraph | null {
    return this._state.kind === 'ready' ? this._state.graph : null;
  }

  /** The parameters the definition declares (with their defaults). */
  get parameters(): IDefinitionParameter[] {
    return this._definition?.parameters ?? [];
  }

  /** The error of the last refresh when it failed after the execution had loaded. */
  get refreshError(): string | null {
    return this._refreshError;
  }

  /** The step whose details the side panel shows; null for none. */
  get selected(): string | null {
    return this._selected;
  }
  set selected(name: string | null) {
    if (name === this._selected) {
      return;
    }
    this._selected = name;
    this._emit();
  }

  /** The selected step's node, as last read. */
  get selectedNode(): IStepNode | null {
    return this.graph?.nodes.find(node => node.name === this._selected) ?? null;
  }

  /** Whether Stop applies: the execution is Executing. */
  get canStop(): boolean {
    return this.status === 'Executing';
  }

  /** Whether Retry applies: the execution Failed or was Stopped. */
  get canRetry(): boolean {
    return this.status === 'Failed' || this.status === 'Stopped';
  }

  /** Whether the execution still changes (the view polls, the clock ticks). */
  get live(): boolean {
    return isLiveExecution(this.status ?? undefined);
  }

  /**
   * Whether the view is on screen: the execution polls only while it is; becoming
   * active reloads it at once.
   */
  get active(): boolean {
    return this._poller.active;
  }
  set active(value: boolean) {
    this._poller.active = value;
  }

  /** Load now (the view calls it when it opens and on its refresh button). */
  async refresh(): Promise<void> {
    await this._poller.refresh();
  }

  /**
   * Ask the server to stop the execution, then reload it.
   *
   * @throws {StudioApiError} when the server refuses (e.g. it already ended).
   */
  async stop(): Promise<void> {
    await stopPipelineExecution(this.executionId);
    await this.refresh();
  }

  /**
   * Retry the execution (RetryPipelineExecution), then reload it: it is Executing
   * again and polls.
   *
   * @throws {StudioApiError} when the server refuses (e.g. it is not Failed or Stopped).
   */
  async retry(): Promise<void> {
    await retryPipelineExecution(this.executionId);
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
    Signal.clearData(this);
  }

  private async _readDefinition(): Promise<IParsedDefinition> {
    const started = await describePipelineDefinitionForExecution(
      this.executionId
    );
    return parseDefinition(started.PipelineDefinition);
  }

  private _received(answer: IAnswer): void {
    this._answer = answer;
    this._definition = answer.definition;
    this._refreshError = null;
    this._state = {
      kind: 'ready',
      execution: answer.execution,
      steps: answer.steps,
      graph: buildGraph(answer.definition, answer.steps)
    };
    this._emit();
  }

  private _emit(): void {
    this._stateChanged.emit(this._state);
  }

  private _answer: IAnswer | null = null;
  private _definition: IParsedDefinition | null = null;
  private _poller: Poller<IAnswer>;
  private _refreshError: string | null = null;
  private _selected: string | null = null;
  private _state: PipelineExecutionState = { kind: 'loading' };
  private _stateChanged = new Signal<this, PipelineExecutionState>(this);
}

export namespace PipelineExecutionModel {
  export interface IOptions {
    /** Seconds between reloads while the execution runs. */
    interval?: number;
    /** Whether to stand by while the page is hidden; defaults to 'when-hidden'. */
    standby?: Poll.Standby;
  }
}
