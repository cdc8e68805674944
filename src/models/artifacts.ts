/**
 * A run's artifacts for its view: the files it lists (inputs and outputs, with the
 * path of those the studio stores) and their previews, read on request.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { fetchRunArtifact, runArtifactPath } from '../api/runs';
import { ITrialComponent, ITrialComponentArtifact } from '../api/types';

/** Longest preview of a text file, in characters; most CSV rows shown. */
const MAX_TEXT = 100_000;
const MAX_ROWS = 50;

/** One artifact of a run. */
export interface IArtifactEntry {
  name: string;
  direction: 'input' | 'output';
  artifact: ITrialComponentArtifact;
  /** Path inside the run's folder, when the studio stores the file. */
  path: string | null;
}

/** A run's input and output artifacts. */
export function artifactEntries(run: ITrialComponent): IArtifactEntry[] {
  const entries: IArtifactEntry[] = [];
  const add = (
    direction: IArtifactEntry['direction'],
    map: Record<string, ITrialComponentArtifact> | undefined
  ) =>
    Object.entries(map ?? {}).forEach(([name, artifact]) =>
      entries.push({
        name,
        direction,
        artifact,
        path: runArtifactPath(run.TrialComponentName, artifact)
      })
    );
  add('input', run.InputArtifacts);
  add('output', run.OutputArtifacts);
  return entries;
}

/** What a preview shows, by media type or file extension. */
export function previewKind(
  entry: IArtifactEntry
): 'image' | 'json' | 'csv' | 'text' | null {
  const type = entry.artifact.MediaType ?? '';
  const file = (entry.path ?? entry.artifact.Value).toLowerCase();
  if (type.startsWith('image/') || /\.(png|jpe?g|gif|svg|webp)$/.test(file)) {
    return 'image';
  }
  if (type.includes('json') || file.endsWith('.json')) {
    return 'json';
  }
  if (type.includes('csv') || file.endsWith('.csv')) {
    return 'csv';
  }
  if (type.startsWith('text/') || file.endsWith('.txt')) {
    return 'text';
  }
  return null;
}

/** A file's preview: an image (an object URL), parsed JSON, CSV rows or text. */
export type Preview =
  | { kind: 'image'; url: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'csv'; rows: string[][] }
  | { kind: 'error'; message: string };

/** The previews of one run's artifacts, read when asked for and kept until disposed. */
export class RunArtifacts implements IDisposable {
  constructor(readonly runName: string) {}

  /** The preview of an artifact, once read. */
  preview(name: string): Preview | undefined {
    return this._previews.get(name);
  }

  /** Emitted when a preview arrives. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Read the preview of a stored artifact, unless it is read or being read. */
  async show(entry: IArtifactEntry): Promise<void> {
    if (
      this.isDisposed ||
      !entry.path ||
      this._previews.has(entry.name) ||
      this._reading.has(entry.name)
    ) {
      return;
    }
    this._reading.add(entry.name);
    let preview: Preview;
    try {
      preview = await readPreview(this.runName, entry.path, previewKind(entry));
    } catch (error) {
      preview = {
        kind: 'error',
        message: error instanceof Error ? error.message : String(error)
      };
    }
    this._reading.delete(entry.name);
    if (this.isDisposed) {
      revoke(preview); // the view closed meanwhile
      return;
    }
    this._previews.set(entry.name, preview);
    this._changed.emit();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._previews.forEach(revoke);
    this._previews.clear();
    Signal.clearData(this);
  }

  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _previews = new Map<string, Preview>();
  private _reading = new Set<string>();
}

async function readPreview(
  run: string,
  path: string,
  kind: ReturnType<typeof previewKind>
): Promise<Preview> {
  const blob = await fetchRunArtifact(run, path);
  if (kind === 'image') {
    return { kind: 'image', url: URL.createObjectURL(blob) };
  }
  const text = (await blob.text()).slice(0, MAX_TEXT);
  if (kind === 'json') {
    try {
      return { kind: 'json', value: JSON.parse(text) };
    } catch {
      return { kind: 'text', text };
    }
  }
  if (kind === 'csv') {
    const rows = text
      .split(/\r?\n/)
      .filter(line => line.length)
      .slice(0, MAX_ROWS + 1)
      .map(line => line.split(','));
    return { kind: 'csv', rows };
  }
  return { kind: 'text', text };
}

function revoke(preview: Preview): void {
  if (preview.kind === 'image') {
    URL.revokeObjectURL(preview.url);
  }
}
