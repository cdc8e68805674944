jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn(),
  requestBlob: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { requestBlob } from '../api/request';
import { artifactEntries, RunArtifacts } from '../models/artifacts';
import { ArtifactsPanel } from '../widgets/artifacts';
import { run, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const mockedBlob = requestBlob as jest.MockedFunction<typeof requestBlob>;

/** A run with a logged JSON file and a CSV file, both stored by the studio. */
const RUN = run('r1', {
  OutputArtifacts: {
    metrics: {
      Value: 'file:///studio/artifacts/runs/r1/metrics.json',
      MediaType: 'application/json'
    },
    predictions: {
      Value: 'file:///studio/artifacts/runs/r1/predictions.csv',
      MediaType: 'text/csv'
    }
  }
});

/** A read file: only its text is used. */
const blob = (text: string) => ({ text: async () => text }) as Blob;

/** Serve the files' text, by the end of their path. */
function serve(files: Record<string, string>) {
  mockedBlob.mockImplementation(async path => {
    const file = Object.keys(files).find(name => path.endsWith(name));
    if (!file) {
      throw new Error(`no file ${path}`);
    }
    return blob(files[file]);
  });
}

describe('RunArtifacts', () => {
  let artifacts: RunArtifacts;
  beforeEach(() => {
    mockedBlob.mockReset();
    artifacts = new RunArtifacts('r1');
  });
  afterEach(() => artifacts.dispose());

  it('reads a preview once, and says why one cannot be read', async () => {
    serve({ 'metrics.json': '{"accuracy": 0.9}' });
    const [json, csv] = artifactEntries(RUN);
    await Promise.all([artifacts.show(json), artifacts.show(json)]);
    await artifacts.show(json);
    expect(mockedBlob).toHaveBeenCalledTimes(1);
    expect(artifacts.preview('metrics')).toEqual({
      kind: 'json',
      value: { accuracy: 0.9 }
    });
    await artifacts.show(csv);
    expect(artifacts.preview('predictions')).toEqual({
      kind: 'error',
      message: expect.stringContaining('predictions.csv')
    });
  });

  it('drops a preview that arrives after the view closed', async () => {
    const held: (() => void)[] = [];
    mockedBlob.mockImplementation(async () => {
      await new Promise<void>(resolve => held.push(resolve));
      return blob('a,b\n1,2\n');
    });
    const [, csv] = artifactEntries(RUN);
    const shown = artifacts.show(csv);
    await waitFor(() => held.length === 1);
    artifacts.dispose();
    held[0]();
    await shown;
    expect(artifacts.preview('predictions')).toBeUndefined();
  });
});

describe('ArtifactsPanel', () => {
  it('shows logged JSON at once and other files on request', async () => {
    mockedBlob.mockReset();
    serve({
      'metrics.json': '{"accuracy": 0.9}',
      'predictions.csv': 'label,score\n1,0.8\n'
    });
    const artifacts = new RunArtifacts('r1');
    const widget = ReactWidget.create(
      <ArtifactsPanel run={RUN} artifacts={artifacts} trans={trans} />
    );
    Widget.attach(widget, document.body);
    const node = widget.node;
    const item = (name: string) =>
      node.querySelector(`[data-artifact="${name}"]`) as HTMLElement;
    await waitFor(() => !!item('metrics')?.querySelector('pre'));
    expect(item('metrics').querySelector('pre')!.textContent).toContain(
      '"accuracy": 0.9'
    );
    expect(item('predictions').querySelector('table')).toBeNull();
    const preview = Array.from(item('predictions').querySelectorAll('button'));
    expect(preview.map(button => button.textContent)).toEqual(['Preview']);
    preview[0].click();
    await waitFor(() => !!item('predictions')?.querySelector('table'));
    expect(item('predictions').querySelector('th')!.textContent).toBe('label');
    expect(item('predictions').querySelector('button')).toBeNull();
    expect(mockedBlob).toHaveBeenCalledTimes(2);
    widget.dispose();
    artifacts.dispose();
  });
});
