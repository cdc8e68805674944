/**
 * The Debugger and Profiler tabs of a training job's view: the tensors its hook saved
 * with the series of the ones chosen, and its hosts' profiler samples. Each polls
 * through the one `Poller` while its tab is on screen and the job runs (the profiler
 * asks only for the samples taken since the last it has), and once more when it ends.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import {
  getProfile,
  getTensor,
  IProfile,
  ITensorSeries,
  ITensorSummary,
  listTensors,
  TensorMode
} from '../api/debugger';
import { isScalar, lastSampleTime, mergeProfile } from './debuggerSpec';
import { LIVE_INTERVAL } from './jobs';
import { Poller } from './poller';

const message = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/** What the Debugger and Profiler models share: a poller, a signal, disposal. */
export abstract class TabModel<T> implements IDisposable {
  constructor(
    kind: string,
    readonly jobName: string,
    options: TabModel.IOptions
  ) {
    this._ended = options.ended;
    this._poller = new Poller<T>({
      name: `${kind}:${jobName}`,
      interval: options.interval ?? LIVE_INTERVAL,
      standby: options.standby,
      active: options.active ?? false,
      idle: () => this.loaded && this._ended(),
      request: () => this.request(),
      apply: answer => {
        this.error = '';
        this.loaded = true;
        this.apply(answer);
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

  protected abstract request(): Promise<T>;
  protected abstract apply(answer: T): void;

  private _ended: () => boolean;
  private _poller: Poller<T>;
}

export namespace TabModel {
  export interface IOptions {
    /** Whether the job has ended (then nothing changes once loaded). */
    ended: () => boolean;
    /** Seconds between polls while the job runs. */
    interval?: number;
    standby?: Poll.Standby;
    /** Whether the tab starts on screen; defaults to false. */
    active?: boolean;
  }
}

/** A chosen tensor's series, or why it could not be read. */
export type TensorState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; series: ITensorSeries };

interface ITensorsAnswer {
  tensors: ITensorSummary[];
  skipped: string[];
  series: Map<string, TensorState>;
}

/** The Debugger tab's tensor browser. */
export class DebuggerModel extends TabModel<ITensorsAnswer> {
  constructor(jobName: string, options: TabModel.IOptions) {
    super('debugger', jobName, options);
  }

  /** The tensors the hook saved (empty until it saved one). */
  tensors: ITensorSummary[] = [];

  /** What the readers skipped (a half-written or corrupt step). */
  skipped: string[] = [];

  /** The tensors chosen for a chart, in the order chosen. */
  get selected(): readonly string[] {
    return this._selected;
  }

  /** The mode whose steps are charted ('' for all). */
  get mode(): TensorMode | '' {
    return this._mode;
  }
  set mode(value: TensorMode | '') {
    if (value === this._mode) {
      return;
    }
    this._mode = value;
    this._series.clear();
    this.changed.emit(undefined);
    void this.refresh();
  }

  /** A chosen tensor's series. */
  series(name: string): TensorState {
    return this._series.get(name) ?? { kind: 'loading' };
  }

  /** Choose a tensor for a chart, or take it away. */
  toggle(name: string): void {
    this._picked = true;
    if (this._selected.includes(name)) {
      this._selected = this._selected.filter(item => item !== name);
      this._series.delete(name);
    } else {
      this._selected = [...this._selected, name];
    }
    this.changed.emit(undefined);
    void this.refresh();
  }

  protected async request(): Promise<ITensorsAnswer> {
    const { Tensors, Skipped } = await listTensors(this.jobName);
    let selected = this._selected.filter(name =>
      Tensors.some(tensor => tensor.Name === name)
    );
    if (!this._picked && !selected.length) {
      // Nothing chosen yet: the first scalar (a loss, say) is charted.
      const first = Tensors.find(isScalar) ?? Tensors[0];
      selected = first ? [first.Name] : [];
    }
    const mode = this._mode || undefined;
    const series = new Map<string, TensorState>();
    await Promise.all(
      selected.map(async name => {
        try {
          const answer = await getTensor(this.jobName, name, mode);
          series.set(name, { kind: 'ready', series: answer });
        } catch (error) {
          series.set(name, { kind: 'error', message: message(error) });
        }
      })
    );
    return { tensors: Tensors, skipped: Skipped ?? [], series };
  }

  protected apply(answer: ITensorsAnswer): void {
    this.tensors = answer.tensors;
    this.skipped = answer.skipped;
    if (!this._picked) {
      this._selected = [...answer.series.keys()];
    }
    answer.series.forEach((state, name) => {
      if (this._selected.includes(name)) {
        this._series.set(name, state);
      }
    });
  }

  private _mode: TensorMode | '' = '';
  /** Whether the person chose tensors (then no tensor is chosen for them). */
  private _picked = false;
  private _selected: string[] = [];
  private _series = new Map<string, TensorState>();
}

/** The Profiler tab's samples, merged poll after poll. */
export class ProfilerModel extends TabModel<IProfile> {
  constructor(jobName: string, options: TabModel.IOptions) {
    super('profiler', jobName, options);
  }

  /** The samples so far (null until the first answer). */
  profile: IProfile | null = null;

  protected request(): Promise<IProfile> {
    return getProfile(this.jobName, lastSampleTime(this.profile));
  }

  protected apply(answer: IProfile): void {
    this.profile = mergeProfile(this.profile, answer);
  }
}
