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
import * as Plotly from 'plotly.js-dist-min';
import React from 'react';

import { CompareModel, MAX_COMPARE, pointsForWidth } from '../models/compare';
import { RunModel } from '../models/run';
import { CompareView } from '../widgets/compareView';
import {
  BATCH_COLORS,
  GL_THRESHOLD,
  LEGEND_MAX,
  lineTraces
} from '../widgets/metricGrid';
import { RunWidget } from '../widgets/runView';
import { mockApi, mockedRequestAPI, run, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');

/** Run `action`, then let React render what it caused. */
async function act(action: () => unknown): Promise<void> {
  await action();
  await new Promise(resolve => setTimeout(resolve, 0));
}
const mockedReact = Plotly.react as unknown as jest.Mock;

const series = (name: string, metric = 'loss', exact = true) => ({
  TrialComponentName: name,
  MetricName: metric,
  Exact: exact,
  BucketWidth: exact ? 1 : 64,
  PointCount: exact ? 2 : 10_000,
  Steps: [0, 1],
  Min: [1, 0.25],
  Max: [1, 0.75],
  Last: [1, 0.5],
  Avg: [1, 0.5],
  Count: [1, 1]
});

const names = (n: number, prefix = 'r') =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A run that logged `loss` and `acc`. */
function twoMetrics(name: string) {
  const one = run(name, { loss: 0.5 });
  const loss = one.Metrics![0];
  return { ...one, Metrics: [loss, { ...loss, MetricName: 'acc' }] };
}

/** The runs as the trial-components listing returns them. */
const listed = (runNames: string[]) => ({
  TrialComponentSummaries: runNames.map(twoMetrics),
  NextToken: null
});

describe('pointsForWidth', () => {
  it('asks one entry every 2 pixels, in steps of 50, within 10 to 1,000', () => {
    expect(pointsForWidth(800)).toBe(400);
    expect(pointsForWidth(830)).toBe(450);
    expect(pointsForWidth(0)).toBe(400); // not laid out: the default width
    expect(pointsForWidth(12)).toBe(50);
    expect(pointsForWidth(5000)).toBe(1000);
  });
});

describe('lineTraces', () => {
  it('draws with WebGL beyond the threshold, SVG below it', () => {
    const few = names(GL_THRESHOLD).map(name => series(name));
    const many = names(GL_THRESHOLD + 1).map(name => series(name));
    expect(new Set(lineTraces(few, new Map(), 0).map(t => t.type))).toEqual(
      new Set(['scatter'])
    );
    expect(new Set(lineTraces(many, new Map(), 0).map(t => t.type))).toEqual(
      new Set(['scattergl'])
    );
  });

  it('draws highlighted runs bold and last, the others faded', () => {
    const traces = lineTraces(
      ['a', 'b', 'c'].map(name => series(name)),
      new Map([['b', 'Run B']]),
      0,
      new Set(['b'])
    );
    expect(traces.map(t => t.name)).toEqual(['a', 'c', 'Run B']);
    expect(traces.map(t => t.opacity)).toEqual([0.2, 0.2, 1]);
    expect(traces[2].line?.width).toBe(3);
    expect(traces[0].hovertemplate).toContain('a<br>step %{x}');
  });

  it('keeps one trace a run, with its name, up to LEGEND_MAX runs', () => {
    const traces = lineTraces(
      names(LEGEND_MAX).map(name => series(name)),
      new Map(),
      0
    );
    expect(traces.map(t => t.name)).toEqual(names(LEGEND_MAX));
    expect(traces.every(t => t.text === undefined)).toBe(true);
  });

  it('batches 1,000 runs into one trace a colour, runs split by nulls', () => {
    const runs = names(1000).map((name, i) => ({
      ...series(name),
      Steps: [0, 10, 20],
      Last: [i, i + 1, i + 2]
    }));
    const traces = lineTraces(runs, new Map([['r7', 'Run <7>']]), 0);
    expect(traces).toHaveLength(BATCH_COLORS.length);
    expect(traces.map(t => t.line?.color)).toEqual(BATCH_COLORS);
    expect(new Set(traces.map(t => t.mode))).toEqual(new Set(['lines']));
    expect(traces.every(t => t.showlegend === false)).toBe(true);
    expect(traces.every(t => t.opacity === 1)).toBe(true);
    // Colour k holds runs k, k + 10, …: 100 runs of 3 points, each followed by a gap.
    const seventh = traces[7];
    expect(seventh.x).toHaveLength(100 * 4);
    expect((seventh.x as unknown[]).slice(0, 8)).toEqual([
      0,
      10,
      20,
      null,
      0,
      10,
      20,
      null
    ]);
    expect((seventh.y as unknown[]).slice(0, 8)).toEqual([
      7,
      8,
      9,
      null,
      17,
      18,
      19,
      null
    ]);
    // The hover names each point's run (its label, tags escaped; gaps unnamed).
    expect((seventh.text as string[]).slice(0, 8)).toEqual([
      'Run &lt;7>',
      'Run &lt;7>',
      'Run &lt;7>',
      '',
      'r17',
      'r17',
      'r17',
      ''
    ]);
    expect(seventh.hovertemplate).toBe(
      '%{text}<br>step %{x}: %{y:.4g}<extra></extra>'
    );
    const drawn = traces.reduce(
      (sum, t) => sum + (t.x as unknown[]).filter(x => x !== null).length,
      0
    );
    expect(drawn).toBe(3000);
  });

  it('draws highlighted runs of a batch as bold traces of their own, last', () => {
    const runs = names(LEGEND_MAX + 1).map(name => series(name));
    const traces = lineTraces(
      runs,
      new Map([['r3', 'Run 3']]),
      0,
      new Set(['r3', 'r12'])
    );
    expect(traces).toHaveLength(BATCH_COLORS.length + 2);
    const [three, twelve] = traces.slice(-2);
    expect([three.name, twelve.name]).toEqual(['Run 3', 'r12']);
    expect([three.line?.width, twelve.line?.width]).toEqual([3, 3]);
    expect([three.opacity, twelve.opacity]).toEqual([1, 1]);
    // A highlighted run keeps its colour and its own hover.
    expect(three.line?.color).toBe(BATCH_COLORS[3]);
    expect(twelve.line?.color).toBe(BATCH_COLORS[2]);
    expect(three.hovertemplate).toContain('Run 3<br>step');
    const batched = traces.slice(0, -2);
    expect(batched.every(t => t.opacity === 0.2)).toBe(true);
    // Left out of their batches: colour 3 holds r13 only, colour 2 r2 and r22… r20 is 0.
    expect(batched[3].text).toEqual(['r13', 'r13', '']);
    expect(batched[2].text).toEqual(['r2', 'r2', '']);
    expect(batched[0].text).toEqual([
      'r0',
      'r0',
      '',
      'r10',
      'r10',
      '',
      'r20',
      'r20',
      ''
    ]);
  });

  it('smooths each batched run on its own', () => {
    const values: Record<string, number[]> = {
      r0: [100, 100, 100],
      r10: [0, 10, 10]
    };
    const runs = names(LEGEND_MAX + 1).map(name => ({
      ...series(name),
      Steps: [0, 1, 2],
      Last: values[name] ?? [0, 0, 0]
    }));
    // r0, r10 and r20 share a trace: r10 starts afresh after r0's 100s.
    const y = lineTraces(runs, new Map(), 0.5)[0].y as (number | null)[];
    const expected = [100, 100, 100, null, 0, 5 / 0.75, 7.5 / 0.875, null];
    expected.push(0, 0, 0, null);
    expect(y).toHaveLength(expected.length);
    y.forEach((value, i) =>
      expected[i] === null
        ? expect(value).toBeNull()
        : expect(value).toBeCloseTo(expected[i]!, 9)
    );
  });

  it('draws batched runs of a single point as markers', () => {
    const runs = names(LEGEND_MAX + 1).map((name, i) =>
      i % 2 ? { ...series(name), Steps: [5], Last: [0.5] } : series(name)
    );
    const traces = lineTraces(runs, new Map(), 0);
    const markers = traces.filter(t => t.mode === 'markers');
    expect(markers.map(t => t.text)).toEqual(
      [1, 3, 5, 7, 9].map(k => [`r${k}`, `r${k + 10}`])
    );
    expect(markers[0].x).toEqual([5, 5]);
    expect(markers[0].marker?.color).toBe(BATCH_COLORS[1]);
  });
});

describe('CompareModel across experiments', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('adds the runs of another experiment and charts them all by name', async () => {
    const bodies: Record<string, unknown>[] = [];
    mockApi({
      'GET trial-components': (query: Record<string, unknown>) =>
        query.ExperimentName === 'exp1'
          ? listed(['a', 'b'])
          : listed(['b', 'c', 'd']),
      'POST charts/metrics': (_query: unknown, body: unknown) => {
        bodies.push(body as Record<string, unknown>);
        return { MetricName: 'loss', Series: [] };
      }
    });
    const model = new CompareModel(['a', 'b'], 'exp1');
    await model.load();
    await model.series('loss', 300);
    expect(bodies[0]).toEqual({
      ExperimentName: 'exp1',
      MetricName: 'loss',
      MaxPoints: 300,
      Fields: ['Last'] // lines need no other column
    });

    expect(await model.addRuns('exp2')).toBe(2); // b is compared already
    expect(model.runNames).toEqual(['a', 'b', 'c', 'd']);
    expect(model.experimentNames).toEqual(['exp1', 'exp2']);
    const state = model.state;
    expect(
      state.kind === 'ready' && state.runs.map(r => r.TrialComponentName)
    ).toEqual(['a', 'b', 'c', 'd']);
    await model.series('loss', 300); // the cache was cleared: a new selection
    expect(bodies[1]).toEqual({
      TrialComponentName: ['a', 'b', 'c', 'd'],
      MetricName: 'loss',
      MaxPoints: 300,
      Fields: ['Last']
    });
    expect(await model.addRuns('exp2')).toBe(0);
    model.dispose();
  });

  it('holds at most 1,000 runs', async () => {
    mockApi({
      'GET trial-components': (query: Record<string, unknown>) =>
        listed(names(MAX_COMPARE - 1, String(query.ExperimentName)))
    });
    const model = new CompareModel(names(MAX_COMPARE - 1, 'one'), 'one');
    await model.load();
    expect(await model.addRuns('two')).toBe(1);
    expect(model.runNames).toHaveLength(MAX_COMPARE);
    expect(await model.addRuns('three')).toBe(0);
    model.dispose();
  });
});

describe('CompareView', () => {
  let widget: Widget | null = null;
  let model: CompareModel | null = null;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    mockedReact.mockClear();
  });
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  async function show(runNames: string[]): Promise<HTMLElement> {
    model = new CompareModel(runNames, 'exp');
    await model.load();
    widget = ReactWidget.create(<CompareView model={model} trans={trans} />);
    Widget.attach(widget, document.body);
    const node = widget.node;
    await waitFor(() => !!node.querySelector('h1'));
    return node;
  }

  it('shows the table, then one chart a metric, asked in order at the fitted resolution', async () => {
    const runNames = names(30);
    const asked: Record<string, unknown>[] = [];
    const answers: Record<string, (value: unknown) => void> = {};
    mockApi({
      'GET trial-components': listed(runNames),
      'POST charts/metrics': (_query: unknown, body: unknown) => {
        const request = body as Record<string, unknown>;
        asked.push(request);
        const metric = request.MetricName as string;
        return new Promise(resolve => {
          answers[metric] = resolve;
        });
      }
    });
    const node = await show(runNames);
    await waitFor(
      () => node.querySelectorAll('.jp-mlstudio-CompareTable-row').length > 0
    );
    await waitFor(() => asked.length === 2);
    // Both metrics asked (2 at a time), by the whole experiment, 400 entries a run.
    expect(asked.map(a => a.MetricName)).toEqual(['acc', 'loss']);
    expect(asked[0]).toMatchObject({ ExperimentName: 'exp', MaxPoints: 400 });
    const panels = node.querySelectorAll('.jp-mlstudio-MetricPanel');
    expect(Array.from(panels).map(p => p.getAttribute('data-metric'))).toEqual([
      'acc',
      'loss'
    ]);
    expect(node.querySelectorAll('.jp-mlstudio-Loading')).toHaveLength(2);

    // The loss chart draws as soon as its data arrives, before acc's.
    await act(() =>
      answers.loss({
        MetricName: 'loss',
        Series: runNames.map(name => series(name))
      })
    );
    await waitFor(() => mockedReact.mock.calls.length === 1);
    const [, data, layout] = mockedReact.mock.calls[0];
    // More than 20 runs: one trace a colour, each point named by its run.
    expect(data).toHaveLength(10);
    expect(data[0].text).toEqual([
      'r0',
      'r0',
      '',
      'r10',
      'r10',
      '',
      'r20',
      'r20',
      ''
    ]);
    expect(layout.showlegend).toBe(false); // more than 20 runs: the finder instead
    expect(layout.hovermode).toBe('closest');
    expect(node.querySelectorAll('.jp-mlstudio-Loading')).toHaveLength(1);

    await act(async () =>
      answers.acc({ MetricName: 'acc', Series: [series('r0', 'acc')] })
    );
    await waitFor(() => mockedReact.mock.calls.length === 2);
    expect(node.querySelectorAll('.jp-mlstudio-Loading')).toHaveLength(0);
  });

  it('highlights the runs found by name in every chart', async () => {
    const runNames = names(25);
    mockApi({
      'GET trial-components': listed(runNames),
      'POST charts/metrics': (_query: unknown, body: unknown) => {
        const metric = (body as Record<string, string>).MetricName;
        return {
          MetricName: metric,
          Series: runNames.map(name => series(name, metric))
        };
      }
    });
    const node = await show(runNames);
    await waitFor(() => mockedReact.mock.calls.length === 2);
    const search = node.querySelector(
      '.jp-mlstudio-RunFinder-search'
    ) as HTMLInputElement;
    expect(search).not.toBeNull();
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(
        HTMLInputElement.prototype,
        'value'
      )!.set!;
      setter.call(search, 'r1');
      search.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const matches = Array.from(
      node.querySelectorAll('.jp-mlstudio-RunFinder-run')
    ) as HTMLButtonElement[];
    // r1 and r10 to r19
    expect(matches.map(b => b.dataset.run)).toEqual([
      'r1',
      ...names(10).map(n => `r1${n.slice(1)}`)
    ]);
    // Arrow keys move between the matches.
    matches[0].focus();
    await act(async () => {
      matches[0].dispatchEvent(
        new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true })
      );
    });
    expect(document.activeElement).toBe(matches[1]);

    mockedReact.mockClear();
    await act(async () => matches[0].click());
    await waitFor(() => mockedReact.mock.calls.length === 2);
    for (const [, data] of mockedReact.mock.calls) {
      const last = data[data.length - 1];
      expect(last.name).toBe('r1');
      expect(last.opacity).toBe(1);
      expect(data[0].opacity).toBe(0.2);
    }
    expect(matches[0].getAttribute('aria-pressed')).toBe('true');
    expect(node.textContent).toContain('Clear highlight (1)');
  });

  it('adds runs of another experiment from the picker', async () => {
    const charted: unknown[] = [];
    mockApi({
      'GET trial-components': (query: Record<string, unknown>) =>
        query.ExperimentName === 'exp' ? listed(['a', 'b']) : listed(['x']),
      'GET experiments': {
        ExperimentSummaries: [
          { ExperimentName: 'exp' },
          { ExperimentName: 'other' }
        ],
        NextToken: null
      },
      'POST charts/metrics': (_query: unknown, body: unknown) => {
        const request = body as Record<string, unknown>;
        charted.push(request.TrialComponentName ?? request.ExperimentName);
        return { MetricName: String(request.MetricName), Series: [] };
      }
    });
    const node = await show(['a', 'b']);
    expect(node.querySelector('h1')!.textContent).toBe('2 runs of exp');
    await waitFor(() => charted.length === 2);
    const details = node.querySelector(
      '.jp-mlstudio-AddRuns'
    ) as HTMLDetailsElement;
    await act(async () => {
      details.open = true;
      details.dispatchEvent(new Event('toggle'));
    });
    const select = node.querySelector(
      '.jp-mlstudio-AddRuns-experiment'
    ) as HTMLSelectElement;
    await waitFor(() => select.options.length === 2);
    await act(async () => {
      select.value = 'other';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(async () =>
      (node.querySelector('.jp-mlstudio-AddRuns-add') as HTMLElement).click()
    );
    await waitFor(() => node.textContent!.includes('Added 1 runs of other.'));
    expect(node.querySelector('h1')!.textContent).toBe(
      '3 runs of 2 experiments'
    );
    // Every chart is asked again, for the runs of both experiments by name.
    await waitFor(() => charted.length === 4);
    expect(charted.slice(2)).toEqual([
      ['a', 'b', 'x'],
      ['a', 'b', 'x']
    ]);
    expect(
      node.querySelectorAll('.jp-mlstudio-CompareTable-row').length
    ).toBeGreaterThan(0);
  });

  it('says so when the runs logged no metrics', async () => {
    mockApi({
      'GET trial-components': {
        TrialComponentSummaries: [run('a'), run('b')],
        NextToken: null
      }
    });
    const node = await show(['a', 'b']);
    expect(node.textContent).toContain('These runs logged no metrics.');
  });
});

describe('RunView charts', () => {
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    mockedReact.mockClear();
  });

  it('reads each metric downsampled from the charts route, with its band', async () => {
    const bodies: Record<string, unknown>[] = [];
    mockApi({
      'GET trial-components/r1': run('r1', { loss: 0.5 }),
      'POST charts/metrics': (_query: unknown, body: unknown) => {
        bodies.push(body as Record<string, unknown>);
        return { MetricName: 'loss', Series: [series('r1', 'loss', false)] };
      }
    });
    const widget = new RunWidget(new RunModel('r1', 60), trans);
    Widget.attach(widget, document.body);
    await waitFor(() => mockedReact.mock.calls.length > 0);
    expect(bodies[0]).toEqual({
      TrialComponentName: ['r1'],
      MetricName: 'loss',
      MaxPoints: 400
    });
    const [, data] = mockedReact.mock.calls[0];
    expect(data.map((t: { name: string }) => t.name)).toEqual([
      'min',
      'max',
      'loss'
    ]);
    expect(data[2].y).toEqual([1, 0.5]);
    expect(data[1].fill).toBe('tonexty');
    widget.dispose();
  });
});
