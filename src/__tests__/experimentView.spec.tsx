jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { ITrialComponent } from '../api/types';
import { ExperimentTableModel } from '../models/experimentTable';
import { StudioModel } from '../models/studio';
import { ExperimentView } from '../widgets/experimentView';
import { createExperimentsWidget } from '../widgets/experiments';
import {
  EMPTY_API,
  experiment,
  mockApi,
  mockedRequestAPI,
  run,
  waitFor
} from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');

/** A Storage in memory. */
function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: key => data.get(key) ?? null,
    key: index => [...data.keys()][index] ?? null,
    removeItem: key => void data.delete(key),
    setItem: (key, value) => void data.set(key, value)
  };
}

/** `count` runs with an lr parameter and a loss metric; answered a page at a time. */
function serve(count: number): Record<string, unknown>[] {
  const all: ITrialComponent[] = Array.from({ length: count }, (_, i) => ({
    ...run(`run-${i}`, { loss: i / 10 }),
    Parameters: { lr: i / 100, optimizer: 'adam' }
  }));
  const queries: Record<string, unknown>[] = [];
  mockApi({
    'GET experiments/exp/runs': (query: Record<string, unknown>) => {
      queries.push(query);
      const from = Number(query.NextToken ?? 0);
      const to = from + Number(query.MaxResults);
      return {
        TrialComponentSummaries: all.slice(from, to),
        NextToken: to < all.length ? String(to) : null
      };
    }
  });
  return queries;
}

describe('ExperimentTableModel', () => {
  let model: ExperimentTableModel;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => model?.dispose());

  it('asks the server for a sorted, filtered page and remembers the columns', async () => {
    const queries = serve(250);
    const storage = memoryStorage();
    model = new ExperimentTableModel('exp', { standby: 'never', storage });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    expect(model.items).toHaveLength(100);
    const idle = () => (model as unknown as { idle: boolean }).idle;
    expect(idle()).toBe(true); // no run in progress
    expect(queries[0]).toMatchObject({
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 100
    });
    expect(model.parameterNames).toEqual(['lr', 'optimizer']);
    expect(model.columns).toEqual({
      parameters: ['lr', 'optimizer'],
      metrics: { loss: 'Last' }
    });

    model.sortBy('Parameters.lr');
    await waitFor(() => queries.length === 2);
    expect(queries[1]).toMatchObject({
      SortBy: 'Parameters.lr',
      SortOrder: 'Descending'
    });
    model.sortBy('Parameters.lr');
    await waitFor(() => queries.length === 3);
    expect(queries[2]).toMatchObject({ SortOrder: 'Ascending' });

    model.filter = {
      text: ' run-1 ',
      status: 'Completed',
      ranges: [{ key: 'Metrics.loss.Min', min: 0.5 }]
    };
    await waitFor(() => queries.length === 4);
    expect(queries[3]).toMatchObject({
      NameContains: 'run-1',
      Status: 'Completed',
      MaxResults: 100
    });
    expect(JSON.parse(queries[3].Ranges as string)).toEqual([
      { Key: 'Metrics.loss.Min', Min: 0.5 }
    ]);

    model.columns = { parameters: ['lr'], metrics: { loss: 'Max' } };
    const again = new ExperimentTableModel('exp', { storage });
    expect(again.columns).toEqual({
      parameters: ['lr'],
      metrics: { loss: 'Max' }
    });
    expect(new ExperimentTableModel('other', { storage }).columns).toEqual({
      parameters: [],
      metrics: {}
    });
    again.dispose();
  });
});

describe('ExperimentTableModel polling', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('stays live while the first page shows a run in progress', async () => {
    const all = Array.from({ length: 150 }, (_, i) =>
      run(`live-${i}`, {
        Status: { PrimaryStatus: 'InProgress', Message: null }
      })
    );
    mockApi({
      'GET experiments/exp/runs': (query: Record<string, unknown>) => {
        const from = Number(query.NextToken ?? 0);
        const to = from + Number(query.MaxResults);
        return {
          TrialComponentSummaries: all.slice(from, to),
          NextToken: to < all.length ? String(to) : null
        };
      }
    });
    const model = new ExperimentTableModel('exp', {
      standby: 'never',
      storage: null
    });
    const idle = () => (model as unknown as { idle: boolean }).idle;
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    expect(idle()).toBe(false);
    await model.loadMore();
    expect(model.items).toHaveLength(150);
    // Deep in the list a poll would fetch every loaded run: refresh only on demand.
    expect(idle()).toBe(true);
    model.dispose();
  });
});

describe('ExperimentView', () => {
  let widget: Widget | null = null;
  let model: ExperimentTableModel;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
  });

  function show(actions = { openRun: jest.fn(), compare: jest.fn() }) {
    model = new ExperimentTableModel('exp', {
      standby: 'never',
      storage: memoryStorage()
    });
    widget = ReactWidget.create(
      <ExperimentView model={model} trans={trans} actions={actions} />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    return { node: widget.node, actions };
  }

  it('shows a window of the runs with parameter and metric columns', async () => {
    const queries = serve(10_000);
    const { node } = show();
    await waitFor(
      () => node.querySelectorAll('.jp-mlstudio-ExpTable-row').length > 0
    );
    expect(queries).toHaveLength(1);
    expect(
      node.querySelectorAll('.jp-mlstudio-ExpTable-row').length
    ).toBeLessThan(60);
    const headers = Array.from(
      node.querySelectorAll('.jp-mlstudio-ExpTable-head [role=columnheader]')
    ).map(h => h.textContent);
    expect(headers).toEqual([
      '',
      'Name',
      'Status',
      'Created ▼',
      'lr',
      'optimizer',
      'loss (Last)'
    ]);
    const row = node.querySelector('[data-run="run-3"]')!;
    expect(row.textContent).toContain('0.03');
    expect(row.textContent).toContain('adam');
    expect(node.textContent).toContain('100 runs loaded, more on scroll');

    // A header sorts; the same header again flips the order.
    node
      .querySelector<HTMLButtonElement>('[data-column="Metrics.loss.Last"]')!
      .click();
    await waitFor(() => queries.length === 2);
    expect(queries[1]).toMatchObject({ SortBy: 'Metrics.loss.Last' });
    await waitFor(
      () =>
        node
          .querySelector('[data-column="Metrics.loss.Last"]')!
          .closest('[role=columnheader]')!
          .getAttribute('aria-sort') === 'descending'
    );

    // Scrolling near the end loads the next page.
    const list = node.querySelector<HTMLElement>('.jp-mlstudio-VirtualList')!;
    Object.defineProperty(list, 'scrollHeight', { value: 100 * 30 });
    Object.defineProperty(list, 'clientHeight', { value: 600 });
    list.scrollTop = 100 * 30 - 600;
    list.dispatchEvent(new Event('scroll'));
    await waitFor(() => model.items.length === 200);
    expect(queries[2]).toMatchObject({ NextToken: '100', MaxResults: 100 });
  });

  it('checks runs with the keyboard and compares them', async () => {
    serve(5);
    const { node, actions } = show();
    await waitFor(() => node.querySelector('[data-run="run-0"]') !== null);
    expect(node.textContent).toContain('5 runs');
    const row = (name: string) =>
      node.querySelector<HTMLElement>(`[data-run="${name}"]`)!;
    const key = (element: HTMLElement, k: string) =>
      element.dispatchEvent(
        new KeyboardEvent('keydown', { key: k, bubbles: true })
      );
    const compare = node.querySelector<HTMLButtonElement>(
      '.jp-mlstudio-Compare'
    )!;
    expect(compare.disabled).toBe(true);
    key(row('run-1'), ' ');
    key(row('run-3'), ' ');
    await waitFor(() => !compare.disabled);
    expect(row('run-1').getAttribute('aria-selected')).toBe('true');
    compare.click();
    expect(actions.compare).toHaveBeenCalledWith('exp', ['run-1', 'run-3']);
    key(row('run-2'), 'Enter');
    expect(actions.openRun).toHaveBeenCalledWith('run-2');
    row('run-2').focus();
    key(row('run-2'), 'ArrowDown');
    expect(document.activeElement).toBe(row('run-3'));
  });

  it('chooses columns and filters by a range, with an empty state', async () => {
    const queries = serve(5);
    const { node } = show();
    await waitFor(() => node.querySelector('[data-run="run-0"]') !== null);
    node
      .querySelector<HTMLButtonElement>('.jp-mlstudio-ExperimentView-columns')!
      .click();
    await waitFor(
      () => node.querySelector('.jp-mlstudio-ColumnChooser') !== null
    );
    const stat = node.querySelector<HTMLSelectElement>(
      'select[aria-label="Column of metric loss"]'
    )!;
    stat.value = 'Avg';
    stat.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => (node.textContent ?? '').includes('loss (Avg)'));
    const optimizer = Array.from(
      node.querySelectorAll<HTMLLabelElement>(
        '.jp-mlstudio-ColumnChooser label'
      )
    ).find(label => label.textContent === 'optimizer')!;
    optimizer.querySelector('input')!.click();
    await waitFor(
      () => node.querySelector('[data-column="Parameters.optimizer"]') === null
    );

    // A range on the last metric column: the server answers with no runs.
    mockApi({
      'GET experiments/exp/runs': (query: Record<string, unknown>) => {
        queries.push(query);
        return { TrialComponentSummaries: [], NextToken: null };
      }
    });
    const column = node.querySelector<HTMLSelectElement>(
      'select[aria-label="Range filter column"]'
    )!;
    column.value = 'Metrics.loss.Max';
    column.dispatchEvent(new Event('change', { bubbles: true }));
    const min = node.querySelector<HTMLInputElement>(
      'input[aria-label="Range minimum"]'
    )!;
    const setValue = Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!;
    setValue.call(min, '2');
    min.dispatchEvent(new Event('input', { bubbles: true }));
    node
      .querySelector<HTMLButtonElement>('.jp-mlstudio-ExperimentView-addRange')!
      .click();
    await waitFor(() =>
      (node.textContent ?? '').includes('No runs match the filters.')
    );
    expect(JSON.parse(queries[queries.length - 1].Ranges as string)).toEqual([
      { Key: 'Metrics.loss.Max', Min: 2 }
    ]);
    expect(node.textContent).toContain('2 ≤ loss.Max ≤ ∞');
  });
});

describe('the experiments section', () => {
  let studio: StudioModel;
  let widget: Widget | null = null;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    studio = new StudioModel({ standby: 'never' });
  });
  afterEach(() => {
    widget?.dispose();
    studio.dispose();
  });

  it('pages the experiments and opens the experiment view', async () => {
    const all = Array.from({ length: 250 }, (_, i) => experiment(`e-${i}`, i));
    const queries: Record<string, unknown>[] = [];
    mockApi({
      ...EMPTY_API,
      'GET experiments': (query: Record<string, unknown>) => {
        queries.push(query);
        const from = Number(query.NextToken ?? 0);
        const to = from + Number(query.MaxResults);
        return {
          ExperimentSummaries: all.slice(from, to),
          NextToken: to < all.length ? String(to) : null
        };
      }
    });
    const actions = {
      openRun: jest.fn(),
      compare: jest.fn(),
      openExperiment: jest.fn()
    };
    widget = createExperimentsWidget(studio.experiments, trans, actions);
    Widget.attach(widget, document.body);
    studio.visible = true;
    const node = widget.node;
    await waitFor(() => node.querySelectorAll('li.jp-mlstudio-Row').length > 0);
    expect(node.querySelectorAll('li.jp-mlstudio-Row')).toHaveLength(100);
    expect(queries[0]).toMatchObject({ MaxResults: 100 });
    node.querySelector<HTMLButtonElement>('.jp-mlstudio-LoadMore')!.click();
    await waitFor(
      () => node.querySelectorAll('li.jp-mlstudio-Row').length === 200
    );
    expect(queries[1]).toMatchObject({ NextToken: '100', MaxResults: 100 });

    node
      .querySelector<HTMLButtonElement>('[aria-label="Open experiment e-1"]')!
      .click();
    expect(actions.openExperiment).toHaveBeenCalledWith('e-1');
  });
});
