/** A run's artifacts: listed with download links and a preview (image, JSON, CSV, charts). */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { runArtifactUrl } from '../api/runs';
import { ITrialComponent } from '../api/types';
import { ArtifactUri } from '../components/ArtifactUri';
import { curveFigure } from '../components/figures';
import { Plot } from '../components/Plot';
import { useSignals } from '../components/useSignals';
import {
  artifactEntries,
  Preview,
  previewKind,
  RunArtifacts
} from '../models/artifacts';

export function ArtifactsPanel(props: {
  run: ITrialComponent;
  artifacts: RunArtifacts;
  trans: TranslationBundle;
}): JSX.Element {
  const { run, artifacts, trans } = props;
  useSignals(artifacts.changed);
  const entries = artifactEntries(run);
  // Charts logged by the SDK are drawn at once (also those logged later); other files
  // on request.
  const charts = entries.filter(
    entry => entry.path && previewKind(entry) === 'json'
  );
  React.useEffect(() => {
    charts.forEach(entry => void artifacts.show(entry));
  }, [artifacts, charts.map(entry => entry.name).join('\n')]);

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
                {previewKind(entry) && !artifacts.preview(entry.name) && (
                  <button
                    type="button"
                    className="jp-mlstudio-Link"
                    onClick={() => void artifacts.show(entry)}
                  >
                    {trans.__('Preview')}
                  </button>
                )}
              </>
            )}
          </div>
          <ArtifactUri
            className="jp-mlstudio-Artifact-uri"
            uri={entry.artifact.Value}
          />
          <PreviewView
            preview={artifacts.preview(entry.name)}
            name={entry.name}
          />
        </li>
      ))}
    </ul>
  );
}

function PreviewView(props: {
  preview: Preview | undefined;
  name: string;
}): JSX.Element | null {
  const { preview } = props;
  // A logged curve (ROC, confusion matrix…) is drawn; other JSON is shown as text.
  const figure = React.useMemo(
    () => (preview?.kind === 'json' ? curveFigure(preview.value) : null),
    [preview]
  );
  if (!preview) {
    return null;
  }
  switch (preview.kind) {
    case 'image':
      return (
        <img
          className="jp-mlstudio-Preview-image"
          src={preview.url}
          alt={props.name}
        />
      );
    case 'json':
      return figure ? (
        <Plot
          className="jp-mlstudio-CurveChart"
          label={props.name}
          data={figure.data}
          layout={figure.layout}
        />
      ) : (
        <pre className="jp-mlstudio-Preview-text">
          {JSON.stringify(preview.value, null, 2)}
        </pre>
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
