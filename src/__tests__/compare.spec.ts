jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { apiUrl } from '../api/request';
import { getMetricChart, listMetricNames, runArtifactPath } from '../api/runs';
import { curveFigure, metricLines, smooth } from '../components/figures';
import {
  differs,
  isNumeric,
  runColumns,
  sortByColumn
} from '../models/columns';
import { CompareModel } from '../models/compare';
import { mockApi, mockedRequestAPI, run } from './utils';

const series = (name: string) => ({
  TrialComponentName: name,
  MetricName: 'loss',
  Exact: true,
  BucketWidth: 1,
  PointCount: 2,
  Steps: [0, 1],
  Min: [1, 0.5],
  Max: [1, 0.5],
  Last: [1, 0.5],
  Avg: [1, 0.5],
  Count: [1, 1]
});

describe('columns', () => {
  const runs = [
    run('a', { Parameters: { lr: 0.1, opt: 'adam' }, loss: 0.3 }),
    run('b', { Parameters: { lr: 0.01, opt: 'adam' }, loss: 0.2 }),
    run('c', { Parameters: { lr: 0.001, opt: 'adam' } })
  ];
  const columns = runColumns(runs);
  const byId = (id: string) => columns.find(c => c.id === id)!;

  it('lists parameters, then every summary of every metric', () => {
    expect(columns.map(c => c.label).slice(0, 4)).toEqual([
      'lr',
      'opt',
      'loss - Last',
      'loss - Min'
    ]);
    expect(columns).toHaveLength(2 + 6);
  });

  it('knows which columns differ and which are numeric', () => {
    expect(differs(byId('param:lr'), runs)).toBe(true);
    expect(differs(byId('param:opt'), runs)).toBe(false);
    expect(isNumeric(byId('param:opt'), runs)).toBe(false);
    expect(isNumeric(byId('metric:loss:Last'), runs)).toBe(true);
  });

  it('sorts by a column with missing values last', () => {
    const names = sortByColumn(runs, byId('metric:loss:Last'), false).map(
      r => r.TrialComponentName
    );
    expect(names).toEqual(['b', 'a', 'c']);
    expect(
      sortByColumn(runs, byId('metric:loss:Last'), true).map(
        r => r.TrialComponentName
      )
    ).toEqual(['a', 'b', 'c']);
  });
});

describe('figures', () => {
  it('smooths with a debiased moving average', () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const smoothed = smooth([1, 1, 1], 0.9);
    smoothed.forEach(value => expect(value).toBeCloseTo(1, 12));
    expect(smooth([0, 10], 0.5)[1]).toBeCloseTo(10 / 1.5 / 1, 6);
  });

  it('draws one line per series with run labels', () => {
    const traces = metricLines(
      [series('a'), series('b')],
      new Map([['a', 'Run A']]),
      0
    );
    expect(traces.map(t => t.name)).toEqual(['Run A', 'b']);
    expect(traces[0].y).toEqual([1, 0.5]);
  });

  it('renders logged classifier charts', () => {
    expect(
      curveFigure({
        type: 'ConfusionMatrix',
        confusionMatrix: [
          [1, 2],
          [3, 4]
        ]
      })?.data[0].type
    ).toBe('heatmap');
    const roc = curveFigure({
      type: 'ROCCurve',
      falsePositiveRate: [0, 1],
      truePositiveRate: [0, 1],
      areaUnderCurve: 0.5
    });
    expect(roc?.data[0].name).toBe('AUC 0.500');
    expect(
      curveFigure({ type: 'PrecisionRecallCurve', precision: [1], recall: [0] })
        ?.data[0].x
    ).toEqual([0]);
    expect(curveFigure({ hello: 1 })).toBeNull();
  });
});

describe('chart and artifact requests', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('repeats TrialComponentName in the query', () => {
    const url = apiUrl({ baseUrl: 'http://h/' } as never, 'charts/metrics', {
      TrialComponentName: ['a', 'b c'],
      MetricName: 'loss',
      Empty: null
    });
    expect(url).toBe(
      'http://h/mlstudio/api/charts/metrics?TrialComponentName=a&TrialComponentName=b%20c&MetricName=loss'
    );
  });

  it('posts up to 1,000 names in one request body', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `r${i}`);
    const bodies: unknown[] = [];
    mockApi({
      'POST charts/metrics': (_query: unknown, body: unknown) => {
        bodies.push(body);
        const { TrialComponentName } = body as { TrialComponentName: string[] };
        return { MetricName: 'loss', Series: TrialComponentName.map(series) };
      },
      'POST charts/metric-names': { MetricNames: ['acc', 'loss'] }
    });
    const answer = await getMetricChart({ runs: names }, 'loss', 200);
    expect(answer.map(s => s.TrialComponentName)).toEqual(names);
    expect(bodies).toEqual([
      { TrialComponentName: names, MetricName: 'loss', MaxPoints: 200 }
    ]);
    expect(await listMetricNames({ experimentName: 'exp' })).toEqual([
      'acc',
      'loss'
    ]);
    const [path, init, query] = mockedRequestAPI.mock.calls[1];
    expect(path).toBe('charts/metric-names');
    expect(JSON.parse(init!.body as string)).toEqual({ ExperimentName: 'exp' });
    expect(query).toBeUndefined();
  });

  it('finds the path of a file the run stored', () => {
    const artifact = (Value: string) => ({ Value, MediaType: null });
    expect(
      runArtifactPath(
        'r1',
        artifact('file:///x/runs/r1/20260105T101112123456Z/plots/cm.json')
      )
    ).toBe('plots/cm.json');
    expect(
      runArtifactPath('r1', artifact('file:///x/runs/r1/plots/cm.json'))
    ).toBe('plots/cm.json');
    expect(runArtifactPath('r1', artifact('s3://bucket/data.csv'))).toBeNull();
  });
});

describe('CompareModel', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('asks for the whole experiment when every run is compared', async () => {
    const chartQueries: Record<string, unknown>[] = [];
    mockApi({
      'GET trial-components': {
        TrialComponentSummaries: [run('a', { loss: 1 }), run('b', { loss: 2 })],
        NextToken: null
      },
      'POST charts/metrics': (_query: unknown, body: unknown) => {
        chartQueries.push(body as Record<string, unknown>);
        return { MetricName: 'loss', Series: [series('a'), series('b')] };
      }
    });
    const model = new CompareModel(['a', 'b'], 'exp');
    await model.load();
    expect(model.state.kind).toBe('ready');
    expect(model.metricNames).toEqual(['loss']);
    await model.series('loss');
    await model.series('loss'); // cached
    expect(chartQueries).toHaveLength(1);
    expect(chartQueries[0]).toMatchObject({ ExperimentName: 'exp' });
    expect(model.maxPoints).toBe(400); // a chart of the default width
    model.dispose();
  });

  it('names the runs when only some are compared', async () => {
    mockApi({
      'GET trial-components': {
        TrialComponentSummaries: [run('a'), run('b'), run('c')],
        NextToken: null
      },
      'POST charts/metrics': { MetricName: 'loss', Series: [] }
    });
    const model = new CompareModel(['a', 'c'], 'exp');
    await model.load();
    const state = model.state;
    expect(state.kind === 'ready' && state.runs.length).toBe(2);
    await model.series('loss');
    const init = mockedRequestAPI.mock.calls[1][1]!;
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toMatchObject({
      TrialComponentName: ['a', 'c'],
      MetricName: 'loss'
    });
  });
});
