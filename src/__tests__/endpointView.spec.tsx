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

import { StudioApiError } from '../api/request';
import { EndpointModel } from '../models/endpoint';
import {
  invocationTraces,
  latencyTraces,
  timeAxis
} from '../widgets/endpointFigures';
import {
  displayBody,
  testInvocation,
  TEXT_CONTENT_TYPES
} from '../widgets/endpointTest';
import { describeConfig } from '../widgets/endpointConfigSwitch';
import { EndpointView } from '../widgets/endpointView';
import { described, figures, metrics, variant } from './endpointFixtures';
import { Answer, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element) => node.textContent ?? '';

/** Type into a React-controlled input or textarea. */
function type(input: HTMLInputElement | HTMLTextAreaElement, value: string) {
  const proto =
    input instanceof HTMLTextAreaElement
      ? HTMLTextAreaElement.prototype
      : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function choose(select: HTMLSelectElement, value: string) {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

const CAPTURE = {
  EnableCapture: true,
  InitialSamplingPercentage: 100,
  DestinationS3Uri: 'file:///studio/data-capture'
};

const churn = described(
  'churn',
  [
    variant('blue', 3, {
      Instances: [
        {
          Host: 'algo-1',
          Status: 'Healthy',
          Restarts: 0,
          StartedAt: 1,
          Detail: null,
          Containers: null,
          Node: null
        },
        {
          Host: 'algo-2',
          Status: 'Restarting',
          Restarts: 2,
          StartedAt: 1,
          Detail: 'exited with code 1',
          Containers: null,
          Node: null
        }
      ],
      CurrentInstanceCount: 1,
      DesiredInstanceCount: 2
    }),
    variant('green', 1)
  ],
  { DataCaptureConfig: CAPTURE }
);

function record(id: string, variantName: string, input: string, out: string) {
  return {
    captureData: {
      endpointInput: {
        observedContentType: 'text/csv',
        mode: 'INPUT',
        data: input,
        encoding: 'CSV'
      },
      endpointOutput: {
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data: btoa(out),
        encoding: 'BASE64'
      }
    },
    eventMetadata: {
      eventId: id,
      inferenceTime: '2026-11-23T20:00:00Z',
      variantName
    },
    eventVersion: '0'
  };
}

describe('EndpointView', () => {
  let widget: Widget | null = null;
  let model: EndpointModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(routes: Record<string, Answer>): HTMLElement {
    mockApi(routes);
    model = new EndpointModel('churn', {
      standby: 'never',
      interval: 0.05,
      figuresInterval: 0.05,
      logInterval: 0.02
    });
    widget = ReactWidget.create(<EndpointView model={model} trans={trans} />);
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  const CONFIGS = {
    EndpointConfigs: [
      {
        EndpointConfigName: 'churn-v2',
        CreationTime: '2026-11-24T10:00:00Z',
        DataCaptureConfig: null,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'churn-model-v2',
            InitialInstanceCount: 2,
            InstanceType: 'local',
            InitialVariantWeight: 1
          }
        ]
      },
      {
        EndpointConfigName: 'churn-config',
        CreationTime: '2026-11-23T10:00:00Z',
        DataCaptureConfig: null,
        ProductionVariants: []
      }
    ],
    NextToken: null
  };

  const ROUTES: Record<string, Answer> = {
    'GET endpoint-configs': CONFIGS,
    'GET endpoints/churn': churn,
    'GET endpoints/churn/metrics': metrics('churn', [
      figures('blue', 6, { Invocation5XXErrors: 1 }),
      figures('green', 2)
    ]),
    'GET endpoints/churn/captures': (query: Record<string, unknown>) => ({
      Records:
        query.VariantName === 'green'
          ? [record('e2', 'green', '5,6', '[1]')]
          : [
              record('e1', 'blue', '1,2', '[0]'),
              record('e2', 'green', '5,6', '[1]')
            ],
      Files: [],
      CaptureStatus: 'Started'
    }),
    'GET endpoints/churn/logs': (query: Record<string, unknown>) => ({
      Text:
        query.Offset === 0
          ? `serving ${query.VariantName} on ${query.Host}\nmodel loaded\n`
          : '',
      NextOffset: 40,
      Complete: false
    })
  };

  it('shows the endpoint: variants, instances, figures, captures, logs', async () => {
    const node = show(ROUTES);
    await waitFor(() => text(node).includes('Variants'));
    expect(node.querySelector('h1')!.textContent).toBe('churn');
    expect(node.querySelector('.jp-mlstudio-StatusBadge')!.textContent).toBe(
      'In service'
    );
    expect(text(node)).toContain('configuration churn-config');

    const blue = node.querySelector('tr[data-variant="blue"]')!;
    expect(text(blue)).toContain('blue-model');
    expect(blue.querySelector('.jp-mlstudio-CurrentShare')!.textContent).toBe(
      '75%'
    );
    const restarting = blue.querySelector('[data-host="algo-2"]')!;
    expect(restarting.getAttribute('data-status')).toBe('Restarting');
    expect(text(restarting)).toContain('2 restarts');
    expect(restarting.getAttribute('title')).toContain('exited with code 1');

    // Figures: totals and percentiles per variant, two live charts.
    await waitFor(() => !!node.querySelector('.jp-mlstudio-FiguresTable'));
    const figureRow = node.querySelector(
      '.jp-mlstudio-FiguresTable tr[data-variant="blue"]'
    )!;
    expect(
      Array.from(figureRow.querySelectorAll('td')).map(td => td.textContent)
    ).toEqual([
      '6',
      '0',
      '1',
      '2.5 ms',
      '4 ms',
      '9.25 ms',
      '0.8 ms',
      '1.2 ms',
      '3 ms'
    ]);
    expect(node.querySelectorAll('.jp-mlstudio-EndpointChart')).toHaveLength(2);

    // Captured requests, newest first, filtered by variant.
    await waitFor(() => !!node.querySelector('.jp-mlstudio-CapturesTable'));
    const rows = node.querySelectorAll('.jp-mlstudio-CapturesTable tbody tr');
    expect(rows).toHaveLength(2);
    expect(text(rows[0])).toContain('1,2');
    expect(text(rows[0])).toContain('[0]'); // base64 decoded
    expect(text(rows[0])).toContain('blue');
    choose(
      node.querySelector('.jp-mlstudio-Captures-variant') as HTMLSelectElement,
      'green'
    );
    await waitFor(
      () =>
        node.querySelectorAll('.jp-mlstudio-CapturesTable tbody tr').length ===
        1
    );

    // The log of the first variant's first instance; the host picker switches it.
    await waitFor(() => text(node).includes('serving blue on algo-1'));
    const hosts = node.querySelectorAll<HTMLSelectElement>(
      '.jp-mlstudio-LogHost'
    );
    expect(hosts).toHaveLength(2); // variant and instance
    choose(hosts[1], 'algo-2');
    await waitFor(() => text(node).includes('serving blue on algo-2'));
    // The log viewer (with its toolbar) is a new one per instance.
    choose(
      node.querySelector('.jp-mlstudio-LogVariant') as HTMLSelectElement,
      'green'
    );
    await waitFor(() => text(node).includes('serving green on algo-1'));
  });

  it('checks weights as typed, shows the split, and sends them', async () => {
    let sent: unknown = null;
    const node = show({
      ...ROUTES,
      'POST endpoints/churn/weights': () => churn
    });
    await waitFor(() => !!node.querySelector('.jp-mlstudio-WeightInput'));
    const [blue, green] = Array.from(
      node.querySelectorAll<HTMLInputElement>('.jp-mlstudio-WeightInput')
    );
    const apply = node.querySelector(
      '.jp-mlstudio-ApplyWeights'
    ) as HTMLButtonElement;
    expect(blue.value).toBe('3');
    expect(apply.disabled).toBe(true); // nothing changed

    type(blue, '-2');
    await waitFor(() => text(node).includes('cannot be negative'));
    expect(blue.getAttribute('aria-invalid')).toBe('true');
    expect(apply.disabled).toBe(true);

    type(blue, 'lots');
    await waitFor(() => text(node).includes('Enter a number'));

    type(blue, '0');
    type(green, '0');
    await waitFor(() => text(node).includes('At least one weight'));
    expect(apply.disabled).toBe(true);

    type(blue, '1');
    type(green, '3');
    await waitFor(() => !apply.disabled);
    const newShares = Array.from(
      node.querySelectorAll('.jp-mlstudio-NewShare')
    ).map(cell => cell.textContent);
    expect(newShares).toEqual(['25%', '75%']);

    mockedRequestAPI.mockClear();
    const original = mockedRequestAPI.getMockImplementation()!;
    mockedRequestAPI.mockImplementation(async (path, init, query) => {
      if (path === 'endpoints/churn/weights') {
        sent = JSON.parse(String(init!.body));
      }
      return original(path, init, query);
    });
    apply.click();
    await waitFor(() => sent !== null);
    expect(sent).toEqual({
      DesiredWeightsAndCapacities: [
        { VariantName: 'blue', DesiredWeight: 1 },
        { VariantName: 'green', DesiredWeight: 3 }
      ]
    });
    await waitFor(() => text(node).includes('Weights applied.'));
  });

  it('switches the endpoint to another configuration', async () => {
    let sent: unknown = null;
    let status = 'InService';
    const node = show({
      ...ROUTES,
      'GET endpoints/churn': () => ({ ...churn, EndpointStatus: status }),
      'PUT endpoints/churn': () => {
        status = 'Updating';
        return { ...churn, EndpointStatus: 'Updating' };
      }
    });
    await waitFor(() => !!node.querySelector('.jp-mlstudio-ConfigSelect'));
    const select = node.querySelector(
      '.jp-mlstudio-ConfigSelect'
    ) as HTMLSelectElement;
    const button = node.querySelector(
      '.jp-mlstudio-SwitchConfig'
    ) as HTMLButtonElement;
    // the current configuration is not offered; nothing chosen, nothing to send
    expect(Array.from(select.options).map(o => o.value)).toEqual([
      '',
      'churn-v2'
    ]);
    // read again when the list gets the focus, without hiding it meanwhile
    const listed = () =>
      mockedRequestAPI.mock.calls.filter(c => c[0] === 'endpoint-configs')
        .length;
    const before = listed();
    select.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    await waitFor(() => listed() === before + 1);
    expect(node.querySelector('.jp-mlstudio-ConfigSelect')).toBe(select);
    expect(button.disabled).toBe(true);
    expect(
      node.querySelector('label[for="jp-mlstudio-config-churn"]')!.textContent
    ).toBe('Switch to configuration');

    choose(select, 'churn-v2');
    await waitFor(() => !button.disabled);
    expect(
      node.querySelector('.jp-mlstudio-ConfigSwitch-preview')!.textContent
    ).toBe('AllTraffic: churn-model-v2, 2 instances, 100% of requests');

    const original = mockedRequestAPI.getMockImplementation()!;
    mockedRequestAPI.mockImplementation(async (path, init, query) => {
      if (path === 'endpoints/churn' && init?.method === 'PUT') {
        sent = JSON.parse(String(init.body));
      }
      return original(path, init, query);
    });
    button.click();
    await waitFor(() => sent !== null);
    expect(sent).toEqual({ EndpointConfigName: 'churn-v2' });
    await waitFor(
      () =>
        node.querySelector('.jp-mlstudio-StatusBadge')!.textContent ===
        'Updating'
    );
    await waitFor(() => select.value === '');
    expect(button.disabled).toBe(true); // not in service while it updates
  });

  it('says when there is no other configuration, and when they cannot be listed', async () => {
    const node = show({
      ...ROUTES,
      'GET endpoint-configs': {
        EndpointConfigs: [CONFIGS.EndpointConfigs[1]],
        NextToken: null
      }
    });
    await waitFor(() => text(node).includes('No other endpoint configuration'));
    expect(node.querySelector('.jp-mlstudio-ConfigSelect')).toBeNull();
    // one made meanwhile (in a notebook) shows up when asked to look again
    mockApi({ ...ROUTES });
    (
      node.querySelector('.jp-mlstudio-ListConfigs') as HTMLButtonElement
    ).click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-ConfigSelect'));
    widget?.dispose();
    model?.dispose();
    const failing = show({
      ...ROUTES,
      'GET endpoint-configs': new StudioApiError(
        500,
        'InternalError',
        'the store is locked'
      )
    });
    await waitFor(() =>
      text(failing).includes('Could not list endpoint configurations')
    );
    expect(text(failing)).toContain('the store is locked');
  });

  it('sends a test request and shows the model’s answer', async () => {
    const node = show(ROUTES);
    await waitFor(() => !!node.querySelector('.jp-mlstudio-TestPanel-body'));
    const send = node.querySelector(
      '.jp-mlstudio-TestPanel-send'
    ) as HTMLButtonElement;
    expect(send.disabled).toBe(true); // no body yet
    const types = node.querySelector(
      '.jp-mlstudio-TestPanel-type'
    ) as HTMLSelectElement;
    const npy = Array.from(types.options).find(
      o => o.value === 'application/x-npy'
    )!;
    expect(npy.disabled).toBe(true);

    choose(types, 'application/json');
    choose(
      node.querySelector('.jp-mlstudio-TestPanel-accept') as HTMLSelectElement,
      'application/json'
    );
    choose(
      node.querySelector('.jp-mlstudio-TestPanel-variant') as HTMLSelectElement,
      'green'
    );
    type(
      node.querySelector('.jp-mlstudio-TestPanel-body') as HTMLTextAreaElement,
      '{"instances": [[1, 2]]}'
    );
    const original = mockedRequestAPI.getMockImplementation()!;
    let init: RequestInit & { raw?: boolean } = {};
    mockedRequestAPI.mockImplementation(async (path, options, query) => {
      if (path === 'endpoints/churn/invocations') {
        init = options!;
        return {
          status: 200,
          headers: new Headers({
            'Content-Type': 'application/json',
            'X-Amzn-Invoked-Production-Variant': 'green'
          }),
          text: '{"predictions": [1]}'
        } as never;
      }
      return original(path, options, query);
    });
    await waitFor(() => !send.disabled);
    send.click();
    await waitFor(() => !!node.querySelector('.jp-mlstudio-Answer-variant'));
    expect(init).toEqual({
      method: 'POST',
      body: '{"instances": [[1, 2]]}',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-Amzn-SageMaker-Target-Variant': 'green'
      },
      raw: true
    });
    const answer = node.querySelector('.jp-mlstudio-Answer')!;
    expect(text(answer)).toContain('200');
    expect(text(answer)).toContain('variant green');
    expect(text(answer)).toContain('ms');
    expect(node.querySelector('.jp-mlstudio-Answer-body')!.textContent).toBe(
      '{"predictions":[1]}'
    );

    // A failing model: the status, code and message.
    mockedRequestAPI.mockImplementation(async (path, options, query) => {
      if (path === 'endpoints/churn/invocations') {
        throw new StudioApiError(
          424,
          'ModelError',
          'the model answered 500: ValueError: bad input'
        );
      }
      return original(path, options, query);
    });
    send.click();
    await waitFor(() => text(node).includes('ModelError'));
    expect(answer.classList.contains('jp-mod-error')).toBe(true);
    expect(text(answer)).toContain('424');
    expect(text(answer)).toContain('ValueError: bad input');
  });

  it('shows a failed endpoint’s reason, and nothing to send to', async () => {
    const node = show({
      'GET endpoints/churn': described('churn', [variant('AllTraffic', 1)], {
        EndpointStatus: 'Failed',
        FailureReason: 'ModelError: no model.joblib in /opt/ml/model'
      }),
      'GET endpoints/churn/logs': {
        Text: 'Traceback\n',
        NextOffset: 10,
        Complete: true
      }
    });
    await waitFor(() => text(node).includes('Failure reason'));
    expect(text(node)).toContain('no model.joblib');
    expect(text(node)).toContain(
      'Figures appear once the endpoint is in service.'
    );
    expect(text(node)).toContain('Data capture is off');
    expect(
      (node.querySelector('.jp-mlstudio-TestPanel-send') as HTMLButtonElement)
        .disabled
    ).toBe(true);
    expect(
      (node.querySelector('.jp-mlstudio-ApplyWeights') as HTMLButtonElement)
        .disabled
    ).toBe(true);
    await waitFor(() => text(node).includes('End of log'));
  });

  it('follows the log again once the endpoint comes into service', async () => {
    let status = 'Creating';
    const node = show({
      'GET endpoints/churn': () =>
        described('churn', [variant('AllTraffic', 1)], {
          EndpointStatus: status as 'Creating'
        }),
      'GET endpoints/churn/metrics': metrics('churn', []),
      // Not live yet: the server answers an empty, complete log.
      'GET endpoints/churn/logs': () =>
        status === 'Creating'
          ? { Text: '', NextOffset: 0, Complete: true }
          : {
              Text: 'listening on 127.0.0.1:4242\n',
              NextOffset: 28,
              Complete: false
            }
    });
    await waitFor(() => text(node).includes('End of log'));
    status = 'InService';
    await waitFor(() => text(node).includes('listening on 127.0.0.1:4242'));
    expect(text(node)).toContain('Live');
  });

  it('says when the endpoint no longer exists', async () => {
    const node = show({
      'GET endpoints/churn': new StudioApiError(
        404,
        'ResourceNotFound',
        'Could not find endpoint churn'
      )
    });
    await waitFor(() => text(node).includes('no longer exists'));
    expect(text(node)).toContain('Could not find endpoint churn');
  });
});

describe('describeConfig', () => {
  it('gives each variant its model, instances and share of requests', () => {
    const variant = (
      VariantName: string,
      InitialInstanceCount: number,
      InitialVariantWeight: number
    ) => ({
      VariantName,
      ModelName: `${VariantName}-model`,
      InitialInstanceCount,
      InitialVariantWeight,
      InstanceType: 'local'
    });
    expect(
      describeConfig(
        {
          EndpointConfigName: 'ab',
          ProductionVariants: [variant('blue', 1, 3), variant('green', 2, 1)]
        } as any,
        trans
      )
    ).toBe(
      'blue: blue-model, 1 instance, 75% of requests · ' +
        'green: green-model, 2 instances, 25% of requests'
    );
  });
});

describe('endpoint figures and test requests', () => {
  it('draws requests (bars, errors as crosses) and latency p50 per variant', () => {
    const figuresOf = metrics('e', [
      figures('blue', 3, {
        Series: {
          Time: [1_800_000_000],
          Invocations: [3],
          Errors: [1],
          ModelLatencyP50: [4],
          OverheadLatencyP50: [1]
        }
      }),
      figures('green', 0)
    ]);
    const requests = invocationTraces(figuresOf);
    expect(requests.map(t => t.name)).toEqual(['blue', 'blue errors', 'green']);
    // Bars in the middle of their 10-second buckets; errors as crosses.
    expect(requests[0].type).toBe('bar');
    expect((requests[0].x as Date[])[0].getTime()).toBe(1_800_000_005_000);
    expect(requests[1].mode).toBe('markers');
    expect(requests[1].y).toEqual([1]);
    expect(requests[0].marker?.color).toBe(
      latencyTraces(figuresOf)[0].line?.color
    );
    const latency = latencyTraces(figuresOf);
    expect(latency.map(t => t.name)).toEqual([
      'blue model',
      'blue overhead',
      'green model',
      'green overhead'
    ]);
    expect(latency[2].y).toEqual([2.5, null]);
  });

  it('shows the window of the figures up to now, with seconds when zoomed in', () => {
    const axis = timeAxis(
      metrics('e', [figures('a', 1)]),
      15,
      1_800_000_100_000
    ) as { range: Date[]; tickformatstops: unknown[] };
    expect(axis.range.map(d => d.getTime())).toEqual([
      1_800_000_100_000 - 15 * 60_000,
      1_800_000_100_000
    ]);
    expect(axis.tickformatstops).toHaveLength(2);
    // A new endpoint: since it was created, but at least a minute.
    const since = (created: number) =>
      (
        timeAxis(
          metrics('e', [figures('a', 1)]),
          15,
          1_800_000_100_000,
          created
        ) as {
          range: Date[];
        }
      ).range.map(d => d.getTime());
    expect(since(1_800_000_000_000)).toEqual([
      1_799_999_990_000, 1_800_000_100_000
    ]);
    expect(since(1_800_000_090_000)).toEqual([
      1_800_000_040_000, 1_800_000_100_000
    ]);
    expect(since(1_700_000_000_000)[0]).toBe(1_800_000_100_000 - 15 * 60_000);
  });

  it('builds the invocation from the panel and indents long JSON answers', () => {
    expect(TEXT_CONTENT_TYPES).toEqual(['text/csv', 'application/json']);
    expect(
      testInvocation({
        contentType: 'text/csv',
        accept: '',
        targetVariant: '',
        body: '1,2'
      })
    ).toEqual({
      body: '1,2',
      contentType: 'text/csv',
      accept: undefined,
      targetVariant: undefined
    });
    expect(displayBody('[1, 2]', 'application/json')).toBe('[1,2]');
    const long = JSON.stringify({ probabilities: Array(20).fill(0.123456) });
    expect(displayBody(long, 'application/json')).toContain(
      '\n  "probabilities"'
    );
    expect(displayBody('not json', 'application/json')).toBe('not json');
    expect(displayBody('1\n0\n', 'text/csv')).toBe('1\n0\n');
  });
});
