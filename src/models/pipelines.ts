/**
 * The Pipelines section: pipelines, newest first; a pipeline expands to its executions
 * (one `PipelineExecutionsModel` each, polling only while expanded, every
 * `LIVE_INTERVAL` seconds while one of them is Executing or Stopping).
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IPipelineExecutionSummary,
  IPipelineSummary,
  listPipelineExecutions,
  listPipelines
} from '../api/pipelines';
import { LIVE_INTERVAL } from './jobs';
import { isLiveExecution } from './pipelineGraph';
import { SectionModel } from './section';

/** The most pipelines, and executions of one pipeline, the sidebar lists. */
const PAGE_SIZE = 100;

/** The executions of one pipeline, newest first. */
export class PipelineExecutionsModel extends SectionModel<IPipelineExecutionSummary> {
  constructor(
    readonly pipelineName: string,
    options: Partial<SectionModel.IOptions> = {}
  ) {
    super({ ...options, name: `pipeline-executions:${pipelineName}` });
    this.stateChanged.connect(this._onStateChanged, this);
  }

  /** Whether a listed execution is Executing or Stopping (the list then polls faster). */
  get live(): boolean {
    return this._live;
  }

  protected async fetch(): Promise<IPipelineExecutionSummary[]> {
    const answer = await listPipelineExecutions(this.pipelineName, {
      SortOrder: 'Descending',
      MaxResults: PAGE_SIZE
    });
    return [...answer.PipelineExecutionSummaries].sort(
      (a, b) => Date.parse(b.StartTime) - Date.parse(a.StartTime)
    );
  }

  private _onStateChanged(): void {
    if (this.state.kind !== 'ready') {
      return;
    }
    this._live = this.state.items.some(execution =>
      isLiveExecution(execution.PipelineExecutionStatus)
    );
    this.liveInterval = this._live ? LIVE_INTERVAL : null;
  }

  private _live = false;
}

export class PipelinesModel extends SectionModel<IPipelineSummary> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'pipelines', ...options });
    this._options = options;
  }

  /** Emitted when a pipeline expands or collapses. */
  get expandedChanged(): ISignal<this, string> {
    return this._expandedChanged;
  }

  /** The executions of a pipeline, when it is expanded. */
  executions(name: string): PipelineExecutionsModel | undefined {
    return this._executions.get(name);
  }

  isExpanded(name: string): boolean {
    return this._executions.has(name);
  }

  /** Expand (load and show the executions of) or collapse a pipeline. */
  setExpanded(name: string, expanded: boolean): void {
    if (expanded === this.isExpanded(name)) {
      return;
    }
    if (expanded) {
      const executions = new PipelineExecutionsModel(name, {
        ...this._options,
        interval: this.interval
      });
      this._executions.set(name, executions);
      executions.active = this.active;
    } else {
      this._executions.get(name)?.dispose();
      this._executions.delete(name);
    }
    this._expandedChanged.emit(name);
  }

  get active(): boolean {
    return super.active;
  }
  set active(value: boolean) {
    super.active = value;
    this._executions.forEach(executions => (executions.active = value));
  }

  get interval(): number {
    return super.interval;
  }
  set interval(seconds: number) {
    super.interval = seconds;
    this._executions?.forEach(executions => (executions.interval = seconds));
  }

  /** Refresh the pipelines and the executions of those expanded. */
  async refresh(): Promise<void> {
    await Promise.all([
      super.refresh(),
      ...[...(this._executions?.values() ?? [])].map(e => e.refresh())
    ]);
  }

  dispose(): void {
    this._executions.forEach(executions => executions.dispose());
    this._executions.clear();
    super.dispose();
  }

  protected async fetch(): Promise<IPipelineSummary[]> {
    const answer = await listPipelines({
      SortOrder: 'Descending',
      MaxResults: PAGE_SIZE
    });
    return [...answer.PipelineSummaries].sort(
      (a, b) => Date.parse(b.CreationTime) - Date.parse(a.CreationTime)
    );
  }

  private _expandedChanged = new Signal<this, string>(this);
  private _executions = new Map<string, PipelineExecutionsModel>();
  private _options: Partial<SectionModel.IOptions>;
}
