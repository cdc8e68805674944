jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));
jest.mock('plotly.js-dist-min', () => ({
  react: jest.fn(async () => undefined),
  purge: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { ITargetModelFigures, IVariantModels } from '../api/endpointModels';
import { EndpointModel } from '../models/endpoint';
import { modelRows, pipelineVariants } from '../widgets/endpointContainers';
import { EndpointView } from '../widgets/endpointView';
import { described, figures, metrics, variant } from './endpointFixtures';
import { Answer, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element | null) => node?.textContent ?? '';

const PIPELINE = [
  {
    ContainerHostname: 'feature-transform',
    Image: 'mlstudio/python:3-sklearn',
    ModelDataUrl: 'file:///studio/automl/churn-002/model.tar.gz'
  },
  {
    ContainerHostname: 'algorithm',
    Image: null,
    ModelDataUrl: null
  }
];

function modelFigures(
  name: string,
  options: Partial<ITargetModelFigures> = {}
): ITargetModelFigures {
  return {
    TargetModel: name,
    Loaded: true,
    LoadedAt: 1_800_000_000,
    LastInvokedAt: 1_800_000_100,
    Invocations: 3,
    Invocation4XXErrors: 0,
    Invocation5XXErrors: 0,
    Loads: 1,
    Evictions: 0,
    LoadTime: { Last: 120, Mean: 110.5 },
    ModelLatency: { P50: 2.5, P90: 4, P99: 9 },
    ...options
  };
}

/** A multi-model variant of two instances, at most two models loaded each. */
function multiModel(): IVariantModels {
  return {
    VariantName: 'many',
    ModelName: 'many-model',
    Mode: 'MultiModel',
    MaxModels: 2,
    ModelCacheSetting: 'Enabled',
    ModelDataUrl: 'file:///studio/models/',
    Instances: [
      {
        Host: 'algo-1',
        LoadedModels: ['m-3.tar.gz', 'm-1.tar.gz'],
        Models: [
          modelFigures('m-1.tar.gz', { Invocations: 5 }),
          modelFigures('m-2.tar.gz', {
            Loaded: false,
            LoadedAt: null,
            Evictions: 1,
            Invocations: 9
          }),
          modelFigures('m-3.tar.gz', {
            Invocations: 1,
            Invocation5XXErrors: 1
          })
        ]
      },
      {
        Host: 'algo-2',
        LoadedModels: [],
        Models: []
      }
    ]
  };
}

describe('the endpoint view’s containers and models', () => {
  let widget: Widget | null = null;
  let model: EndpointModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(routes: Record<string, Answer>): HTMLElement {
    mockApi({
      'GET endpoint-configs': { EndpointConfigs: [], NextToken: null },
      'GET endpoints/churn/captures': {
        Records: [],
        Files: [],
        CaptureStatus: 'Stopped'
      },
      'GET endpoints/churn/logs': { Text: '', NextOffset: 0, Complete: false },
      ...routes
    });
    model = new EndpointModel('churn', {
      standby: 'never',
      interval: 60,
      figuresInterval: 0.05,
      logInterval: 60
    });
    widget = ReactWidget.create(<EndpointView model={model} trans={trans} />);
    Widget.attach(widget, document.body);
    model.active = true;
    void model.refresh();
    return widget.node;
  }

  it('lists the containers of a pipeline variant, in order', async () => {
    const node = show({
      'GET endpoints/churn': described('churn', [
        variant('best', 1, { Containers: PIPELINE }),
        variant('single', 1)
      ]),
      'GET endpoints/churn/metrics': metrics('churn', [figures('best')]),
      'GET endpoints/churn/models': {
        EndpointName: 'churn',
        Variants: [
          {
            VariantName: 'best',
            ModelName: 'best-model',
            Mode: 'SingleModel',
            MaxModels: null,
            ModelCacheSetting: null,
            ModelDataUrl: null,
            Instances: []
          }
        ]
      }
    });
    await waitFor(
      () => !!node.querySelector('.jp-mlstudio-PipelineContainers-table')
    );
    const tables = node.querySelectorAll(
      '.jp-mlstudio-PipelineContainers-table'
    );
    expect(tables).toHaveLength(1);
    expect(tables[0].getAttribute('data-variant')).toBe('best');
    expect(text(tables[0].querySelector('caption'))).toBe(
      'best runs an inference pipeline: each container answers the next one'
    );
    const rows = Array.from(tables[0].querySelectorAll('tbody tr')).map(row =>
      Array.from(row.querySelectorAll('td, th')).map(text)
    );
    expect(rows).toEqual([
      [
        '1',
        'feature-transform',
        'mlstudio/python:3-sklearn',
        'file:///studio/automl/churn-002/model.tar.gz'
      ],
      ['2', 'algorithm', 'script-mode serving', '—']
    ]);
    // No multi-model variant: no models section, and no more reads of the models.
    await waitFor(() =>
      mockedRequestAPI.mock.calls.some(c => c[0] === 'endpoints/churn/models')
    );
    const reads = () =>
      mockedRequestAPI.mock.calls.filter(c => c[0] === 'endpoints/churn/models')
        .length;
    const figureReads = () =>
      mockedRequestAPI.mock.calls.filter(
        c => c[0] === 'endpoints/churn/metrics'
      ).length;
    const before = reads();
    const figuresBefore = figureReads();
    await waitFor(() => figureReads() >= figuresBefore + 3);
    expect(reads()).toBe(before);
    expect(node.querySelector('.jp-mlstudio-EndpointModels')).toBeNull();
  });

  it('shows what each instance of a multi-model variant loaded, with each model’s figures', async () => {
    let answer = multiModel();
    const node = show({
      'GET endpoints/churn': described('churn', [variant('many', 1)]),
      'GET endpoints/churn/metrics': metrics('churn', [figures('many', 18)]),
      'GET endpoints/churn/models': () => ({
        EndpointName: 'churn',
        Variants: [answer]
      })
    });
    await waitFor(() => !!node.querySelector('.jp-mlstudio-EndpointModels'));
    const section = node.querySelector('.jp-mlstudio-EndpointModels')!;
    expect(text(section.querySelector('h3'))).toBe(
      'many: multi-model · at most 2 loaded per instance'
    );
    expect(
      text(section.querySelector('.jp-mlstudio-EndpointModels-prefix'))
    ).toBe('Models under file:///studio/models/');
    const loaded = Array.from(
      section.querySelectorAll('.jp-mlstudio-EndpointModels-loaded li')
    ).map(text);
    expect(loaded).toEqual([
      'algo-1 has loaded 2: m-3.tar.gz, m-1.tar.gz',
      'algo-2 has loaded no model yet'
    ]);
    const rows = Array.from(
      section.querySelectorAll('.jp-mlstudio-EndpointModels-table tbody tr')
    );
    // Loaded first (most invoked first), then the evicted one.
    expect(rows.map(row => row.getAttribute('data-model'))).toEqual([
      'm-1.tar.gz',
      'm-3.tar.gz',
      'm-2.tar.gz'
    ]);
    const cells = Array.from(rows[1].querySelectorAll('td, th')).map(text);
    expect(cells.slice(0, 9)).toEqual([
      'm-3.tar.gz',
      'algo-1',
      'loaded',
      '1',
      '0 / 1',
      '2.5 ms / 4 ms',
      '1',
      '110.5 ms',
      '0'
    ]);
    expect(text(rows[2].querySelectorAll('td')[1])).toBe('no');
    expect(rows[2].classList).not.toContain('jp-mod-loaded');

    // Read again with the figures: a model loads on the second instance.
    answer = multiModel();
    answer.Instances[1] = {
      Host: 'algo-2',
      LoadedModels: ['m-4.tar.gz'],
      Models: [modelFigures('m-4.tar.gz', { Invocations: 20 })]
    };
    await waitFor(
      () =>
        !!node.querySelector(
          '.jp-mlstudio-EndpointModels-table tr[data-model="m-4.tar.gz"][data-host="algo-2"]'
        )
    );
  });

  it('orders model rows and finds pipeline variants without a view', () => {
    const rows = modelRows(multiModel());
    expect(rows.map(row => `${row.host}/${row.figures.TargetModel}`)).toEqual([
      'algo-1/m-1.tar.gz',
      'algo-1/m-3.tar.gz',
      'algo-1/m-2.tar.gz'
    ]);
    expect(
      pipelineVariants([
        variant('a', 1),
        variant('b', 1, { Containers: PIPELINE }),
        variant('c', 1, { Containers: [] })
      ]).map(v => v.VariantName)
    ).toEqual(['b']);
  });
});
