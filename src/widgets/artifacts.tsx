/** A run's artifacts: listed with download links and a preview (image, JSON, CSV, charts). */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { fetchRunArtifact, runArtifactPath, runArtifactUrl } from '../api/runs';
import { ITrialComponent, ITrialComponentArtifact } from '../api/types';
import { curveFigure, ICurveFigure } from '../components/figures';
import { Plot } from '../components/Plot';

/** Longest preview of a text file, in characters; most CSV rows shown. */
const MAX_TEXT = 100_000;
const MAX_ROWS = 50;

interface IArtifactEntry {
  name: string;
  direction: 'input' | 'output';
  artifact: ITrialComponentArtifact;
  /** Path inside the run's folder, when the studio stores the file. */
  path: string | null;
}

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

type Preview =
  | { kind: 'image'; url: string }
  | { kind: 'chart'; figure: ICurveFigure }
  | { kind: 'json' | 'text'; text: string }
  | { kind: 'csv'; rows: string[][] }
  | { kind: 'error'; message: string };

async function loadPreview(
  run: string,
  entry: IArtifactEntry
): Promise<Preview> {
  const blob = await fetchRunArtifact(run, entry.path!);
  const kind = previewKind(entry);
  if (kind === 'image') {
    return { kind: 'image', url: URL.createObjectURL(blob) };
  }
  const text = (await blob.text()).slice(0, MAX_TEXT);
  if (kind === 'json') {
    try {
      const json = JSON.parse(text);
      const figure = curveFigure(json);
      return figure
        ? { kind: 'chart', figure }
        : { kind: 'json', text: JSON.stringify(json, null, 2) };
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

export function ArtifactsPanel(props: {
  run: ITrialComponent;
  trans: TranslationBundle;
}): JSX.Element {
  const { run, trans } = props;
  const entries = artifactEntries(run);
  const [previews, setPreviews] = React.useState<Record<string, Preview>>({});
  React.useEffect(() => {
    // Charts logged by the SDK are drawn at once; other files on request.
    entries
      .filter(entry => entry.path && previewKind(entry) === 'json')
      .forEach(entry => void show(entry));
  }, [run.TrialComponentName]);
  React.useEffect(
    () => () =>
      Object.values(previews).forEach(
        p => p.kind === 'image' && URL.revokeObjectURL(p.url)
      ),
    []
  );

  async function show(entry: IArtifactEntry): Promise<void> {
    let preview: Preview;
    try {
      preview = await loadPreview(run.TrialComponentName, entry);
    } catch (error) {
      preview = { kind: 'error', message: (error as Error).message };
    }
    setPreviews(old => ({ ...old, [entry.name]: preview }));
  }

  if (entries.length === 0) {
    return <p className="jp-mlstudio-Muted">{trans.__('No artifacts.')}</p>;
  }
  return (
    <ul className="jp-mlstudio-Artifacts">
      {entries.map(entry => (
        <li key={`${entry.direction}:${entry.name}`} data-artifact={entry.name}>
          <div className="jp-mlstudio-Artifact-head">
            <strong>{entry.name}</strong>
            <span className="jp-mlstudio-Muted">
              {entry.direction === 'input'
                ? trans.__('input')
                : trans.__('output')}
              {entry.artifact.MediaType ? ` · ${entry.artifact.MediaType}` : ''}
            </span>
            {entry.path && (
              <>
                <a
                  className="jp-mlstudio-Link"
                  href={runArtifactUrl(run.TrialComponentName, entry.path)}
                  download={entry.path.split('/').pop()}
                >
                  {trans.__('Download')}
                </a>
                {previewKind(entry) && !previews[entry.name] && (
                  <button
                    type="button"
                    className="jp-mlstudio-Link"
                    onClick={() => void show(entry)}
                  >
                    {trans.__('Preview')}
                  </button>
                )}
              </>
            )}
          </div>
          <code className="jp-mlstudio-Artifact-uri">
            {entry.artifact.Value}
          </code>
          {previews[entry.name] && (
            <PreviewView preview={previews[entry.name]} name={entry.name} />
          )}
        </li>
      ))}
    </ul>
  );
}

function PreviewView(props: { preview: Preview; name: string }): JSX.Element {
  const { preview } = props;
  switch (preview.kind) {
    case 'image':
      return (
        <img
          className="jp-mlstudio-Preview-image"
          src={preview.url}
          alt={props.name}
        />
      );
    case 'chart':
      return (
        <Plot
          className="jp-mlstudio-CurveChart"
          label={props.name}
          data={preview.figure.data}
          layout={preview.figure.layout}
        />
      );
    case 'csv':
      return (
        <div className="jp-mlstudio-Preview-table">
          <table>
            <tbody>
              {preview.rows.map((row, i) => (
                <tr key={i}>
                  {row.map((cell, j) =>
                    i === 0 ? <th key={j}>{cell}</th> : <td key={j}>{cell}</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case 'error':
      return <p role="alert">{preview.message}</p>;
    default:
      return <pre className="jp-mlstudio-Preview-text">{preview.text}</pre>;
  }
}
