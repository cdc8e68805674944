jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));
jest.mock('plotly.js-dist-min', () => ({
  react: jest.fn(async () => undefined),
  purge: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { ServerExtensionMissingError } from '../api/request';
import { artifactDisplayUri } from '../format';
import { ArtifactRoot } from '../models/artifactRoot';
import { EndpointModel } from '../models/endpoint';
import { JobModel } from '../models/job';
import { RunModel } from '../models/run';
import { EndpointWidget } from '../widgets/endpointView';
import { JobWidget } from '../widgets/jobView';
import { RunWidget } from '../widgets/runView';
import { described, metrics, variant } from './endpointFixtures';
import { Answer, job, mockApi, mockedRequestAPI, run, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const ROOT = 'file:///home/ada/studio/artifacts';

/** The health route's answer, with the studio's artifact root. */
const HEALTH = {
  Version: '0.1.0',
  Store: {
    Backend: 'sqlite',
    Url: 'sqlite:///home/ada/studio/mlstudio.db',
    Ok: true,
    SchemaRevision: 'head',
    HeadRevision: 'head',
    Detail: null
  },
  ArtifactRoot: { Uri: ROOT, Ok: true, Detail: null },
  Runtimes: [],
  DefaultRuntime: 'process'
};

/** The `<code>` elements of `node` as [shown text, title]. */
function uris(node: Element, selector = 'code'): [string, string | null][] {
  return Array.from(node.querySelectorAll(selector)).map(code => [
    code.textContent ?? '',
    code.getAttribute('title')
  ]);
}

/**
 * Copy `selected` (the page's selection, as the browser reports it) from `node`: what
 * the page puts on the clipboard instead, if anything. (The JupyterLab jest set-up
 * stubs DOM ranges, so the selection is given.)
 */
function copy(node: Element, selected: string): string | null {
  const selection = jest
    .spyOn(window, 'getSelection')
    .mockReturnValue({ toString: () => selected } as Selection);
  const copied: Record<string, string> = {};
  const event = new Event('copy', { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'clipboardData', {
    value: { setData: (type: string, value: string) => (copied[type] = value) }
  });
  node.dispatchEvent(event);
  selection.mockRestore();
  return event.defaultPrevented ? copied['text/plain'] : null;
}

describe('artifactDisplayUri', () => {
  it('prints URIs under the root relative to it, and others whole', () => {
    const under = `${ROOT}/runs/cifar-lr-0/20260105T101112Z/confusion.json`;
    expect(artifactDisplayUri(under, ROOT)).toBe(
      'runs/cifar-lr-0/20260105T101112Z/confusion.json'
    );
    expect(artifactDisplayUri(under, `${ROOT}/`)).toBe(
      'runs/cifar-lr-0/20260105T101112Z/confusion.json'
    );
    // Not known yet, the root itself, a sibling folder, another bucket: whole.
    expect(artifactDisplayUri(under, null)).toBe(under);
    expect(artifactDisplayUri(ROOT, ROOT)).toBe(ROOT);
    expect(artifactDisplayUri(`${ROOT}-old/a.csv`, ROOT)).toBe(
      `${ROOT}-old/a.csv`
    );
    expect(artifactDisplayUri('s3://other-bucket/runs/a.csv', ROOT)).toBe(
      's3://other-bucket/runs/a.csv'
    );
  });

  it('decodes the local path of a file URI, never an S3 key', () => {
    expect(artifactDisplayUri(`${ROOT}/runs/r1/my%20plot.png`, ROOT)).toBe(
      'runs/r1/my plot.png'
    );
    expect(artifactDisplayUri(`${ROOT}/runs/r1/100%.png`, ROOT)).toBe(
      'runs/r1/100%.png'
    );
    expect(
      artifactDisplayUri('s3://studio/prefix/runs/r1/a%20b.csv', 's3://studio')
    ).toBe('prefix/runs/r1/a%20b.csv');
    expect(artifactDisplayUri('file:///runs/r1/a.csv', 'file:///')).toBe(
      'runs/r1/a.csv'
    );
  });
});

describe('ArtifactRoot', () => {
  let root: ArtifactRoot;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    root = new ArtifactRoot();
  });
  afterEach(() => root.dispose());

  it('reads the root from the health route once', async () => {
    mockApi({ 'GET health': HEALTH });
    const changes: string[] = [];
    root.changed.connect((_, uri) => changes.push(uri));
    await Promise.all([root.load(), root.load()]);
    await root.load();
    expect(root.uri).toBe(ROOT);
    expect(changes).toEqual([ROOT]);
    expect(mockedRequestAPI).toHaveBeenCalledTimes(1);
  });

  it('stays unknown when the route fails, and reads it on the next load', async () => {
    mockApi({ 'GET health': new ServerExtensionMissingError('route-missing') });
    await root.load();
    expect(root.uri).toBeNull();
    mockApi({ 'GET health': HEALTH });
    await root.load();
    expect(root.uri).toBe(ROOT);
  });
});

describe('the views print artifact URIs relative to the artifact root', () => {
  let widget: Widget | null = null;
  let root: ArtifactRoot;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    root = new ArtifactRoot();
  });
  afterEach(() => {
    widget?.dispose();
    widget = null;
    root.dispose();
    document.querySelectorAll('.jp-Dialog').forEach(node => node.remove());
  });

  function attach<W extends Widget>(shown: W): W {
    widget = shown;
    Widget.attach(shown, document.body);
    return shown;
  }

  it('run view: artifact rows, whole URI in the title and on copy', async () => {
    const model = `${ROOT}/runs/r1/20260105T101112Z/model.pt`;
    const outside = 's3://other-bucket/datasets/train.parquet';
    mockApi({
      'GET health': HEALTH,
      'GET trial-components/r1': run('r1', {
        InputArtifacts: { train: { Value: outside, MediaType: null } },
        OutputArtifacts: { model: { Value: model, MediaType: null } }
      })
    });
    const node = attach(
      new RunWidget(new RunModel('r1', 60), trans, root)
    ).node;
    await waitFor(() => !!node.querySelector('.jp-mlstudio-Artifact-uri'));
    // Until the root is known, the URIs print whole.
    expect(uris(node, '.jp-mlstudio-Artifact-uri')).toEqual([
      [outside, outside],
      [model, model]
    ]);

    await root.load();
    await waitFor(
      () => !node.textContent!.includes('file:///'),
      2000 // the view re-renders on the root's signal
    );
    expect(uris(node, '.jp-mlstudio-Artifact-uri')).toEqual([
      [outside, outside],
      ['runs/r1/20260105T101112Z/model.pt', model]
    ]);
    const [train, shown] = Array.from(
      node.querySelectorAll('.jp-mlstudio-Artifact-uri')
    );
    // The shown path copied whole copies the whole URI; a part copies as selected.
    expect(copy(shown, 'runs/r1/20260105T101112Z/model.pt')).toBe(model);
    expect(copy(shown, 'model.pt')).toBeNull();
    expect(copy(train, outside)).toBeNull(); // printed whole already
  });

  it('job view: output path, channels and published artifacts', async () => {
    const data = `${ROOT}/uploads/train-1/train`;
    const modelUri = `${ROOT}/jobs/train-1/output/model.tar.gz`;
    mockApi({
      'GET health': HEALTH,
      'GET training-jobs/train-1': job('train-1', {
        Status: 'Completed',
        Spec: {
          ScriptMode: { EntryPoint: 'train.py' },
          InputDataConfig: [
            {
              ChannelName: 'train',
              DataSource: { S3DataSource: { S3Uri: data } }
            },
            {
              ChannelName: 'test',
              DataSource: { S3DataSource: { S3Uri: 's3://other-bucket/test' } }
            }
          ],
          OutputDataConfig: { S3OutputPath: `${ROOT}/jobs` }
        },
        Outputs: { ModelArtifacts: { S3ModelArtifacts: modelUri } }
      }),
      'GET training-jobs/train-1/logs': {
        Text: '',
        NextOffset: 0,
        Complete: true
      }
    });
    await root.load();
    const node = attach(
      new JobWidget(new JobModel('TrainingJob', 'train-1'), trans, {
        artifactRoot: root
      })
    ).node;
    await waitFor(() => !!node.querySelector('.jp-mlstudio-Artifact-uri'));
    expect(uris(node, '.jp-mlstudio-Channels code')).toEqual([
      ['uploads/train-1/train', data],
      ['s3://other-bucket/test', 's3://other-bucket/test']
    ]);
    expect(uris(node, '.jp-mlstudio-KeyValues code')).toContainEqual([
      'jobs',
      `${ROOT}/jobs`
    ]);
    expect(uris(node, '.jp-mlstudio-Artifact-uri')).toEqual([
      ['jobs/train-1/output/model.tar.gz', modelUri]
    ]);
    expect(node.textContent).not.toContain('/home/ada');

    // The Deploy dialog names the model the same way.
    (node.querySelector('.jp-mlstudio-DeployJob') as HTMLElement).click();
    await waitFor(() => !!document.querySelector('.jp-mlstudio-DeployForm'));
    expect(
      uris(document.querySelector('.jp-mlstudio-DeployForm-what')!)
    ).toEqual([
      ['jobs/train-1/output/model.tar.gz', modelUri],
      ['train.py', 'train.py']
    ]);
  });

  it('endpoint view: the captures destination', async () => {
    const destination = `${ROOT}/data-capture/churn`;
    const routes: Record<string, Answer> = {
      'GET health': HEALTH,
      'GET endpoint-configs': { EndpointConfigs: [], NextToken: null },
      'GET endpoints/churn': described('churn', [variant('blue', 1)], {
        DataCaptureConfig: {
          EnableCapture: true,
          InitialSamplingPercentage: 100,
          DestinationS3Uri: destination
        }
      }),
      'GET endpoints/churn/metrics': metrics('churn', []),
      'GET endpoints/churn/captures': {
        Records: [],
        Files: [],
        CaptureStatus: 'Started'
      },
      'GET endpoints/churn/logs': { Text: '', NextOffset: 0, Complete: false }
    };
    mockApi(routes);
    await root.load();
    const node = attach(
      new EndpointWidget(
        new EndpointModel('churn', { standby: 'never', interval: 60 }),
        trans,
        root
      )
    ).node;
    await waitFor(() => !!node.querySelector('.jp-mlstudio-Captures-where'));
    expect(uris(node, '.jp-mlstudio-Captures-where code')).toEqual([
      ['data-capture/churn', destination]
    ]);
  });
});
