jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { ITrialComponent } from '../api/types';
import { filterRuns, RunsModel, sortRuns } from '../models/runs';
import { RunsPanel } from '../widgets/runs';
import { mockApi, mockedRequestAPI, run, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');

describe('RunsModel', () => {
  let model: RunsModel;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => model?.dispose());

  it('loads the first page at once and the next on demand', async () => {
    const all = [run('a'), run('b'), run('c')];
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
    model = new RunsModel('exp', { standby: 'never', pageSize: 2 });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    expect(model.runs.map(r => r.TrialComponentName)).toEqual(['a', 'b']);
    expect(model.hasMore).toBe(true);
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 2
    });
    expect(queries[0].NextToken).toBeUndefined();

    expect(model.paged).toBe(false);
    await model.loadMore();
    expect(model.runs.map(r => r.TrialComponentName)).toEqual(['a', 'b', 'c']);
    expect(model.paged).toBe(true); // no polling of every loaded run from here
    expect(queries[1]).toMatchObject({ NextToken: '2', MaxResults: 2 });
    expect(model.hasMore).toBe(false);
    await model.loadMore(); // nothing after the last page
    expect(queries).toHaveLength(2);

    // A refresh fetches again from the start as many runs as are loaded.
    await model.refresh();
    expect(queries[2]).toMatchObject({ MaxResults: 3 });
    expect(queries[2].NextToken).toBeUndefined();
  });

  it('sorts and filters on the server, tags over the loaded runs', async () => {
    const queries: Record<string, unknown>[] = [];
    mockApi({
      'GET experiments/exp/runs': (query: Record<string, unknown>) => {
        queries.push(query);
        return {
          TrialComponentSummaries: [
            run('alpha', { loss: 0.5, Tags: { arch: 'resnet50' } }),
            run('beta', {
              loss: 0.1,
              Status: { PrimaryStatus: 'InProgress', Message: null }
            }),
            run('gamma', { Tags: { arch: 'vit' } })
          ],
          NextToken: null
        };
      }
    });
    model = new RunsModel('exp', { standby: 'never' });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    expect(model.inProgress).toBe(true);
    expect((model as unknown as { idle: boolean }).idle).toBe(false); // live
    expect(model.metricNames).toEqual(['loss']);

    model.sort = { key: 'metric:loss', descending: false };
    await waitFor(() => queries.length === 2);
    expect(queries[1]).toMatchObject({
      SortBy: 'Metrics.loss.Last',
      SortOrder: 'Ascending'
    });
    model.filter = { text: '', tag: 'arch=resnet', status: '' };
    expect(model.shown.map(r => r.TrialComponentName)).toEqual(['alpha']);
    model.filter = { text: '', tag: 'arch', status: '' };
    expect(model.shown).toHaveLength(2);
    expect(queries).toHaveLength(2); // tags never go to the server
    model.filter = { text: ' BET ', tag: '', status: 'InProgress' };
    await waitFor(() => queries.length === 3);
    expect(queries[2]).toMatchObject({
      NameContains: 'BET',
      Status: 'InProgress',
      MaxResults: 50
    });

    model.selectShown(true);
    expect([...model.selected].sort()).toEqual(['alpha', 'beta', 'gamma']);
    model.toggle('gamma');
    expect([...model.selected].sort()).toEqual(['alpha', 'beta']);
    model.toggle('gamma');
    expect(model.selected.has('gamma')).toBe(true);
  });
});

describe('run filtering and sorting', () => {
  const runs = [
    run('b', { StartTime: '2026-01-02T00:00:00Z' }),
    run('a', { StartTime: '2026-01-03T00:00:00Z', DisplayName: 'Zed' }),
    run('c', { StartTime: '2026-01-01T00:00:00Z' })
  ];
  it('sorts by start time and by display name', () => {
    const names = (list: ITrialComponent[]) =>
      list.map(r => r.TrialComponentName);
    expect(
      names(sortRuns(runs, { key: 'StartTime', descending: true }))
    ).toEqual(['a', 'b', 'c']);
    expect(names(sortRuns(runs, { key: 'Name', descending: false }))).toEqual([
      'b',
      'c',
      'a'
    ]);
  });
  it('matches text in names and display names', () => {
    expect(filterRuns(runs, { text: 'zed', tag: '', status: '' })).toHaveLength(
      1
    );
    expect(filterRuns(runs, { text: '', tag: '', status: 'Failed' })).toEqual(
      []
    );
  });
});

describe('RunsPanel', () => {
  let widget: Widget | null = null;
  afterEach(() => widget?.dispose());

  it('renders the first page of 10,000 runs, loads more on scroll, compares', async () => {
    const all = Array.from({ length: 10_000 }, (_, i) =>
      run(`run-${i}`, { loss: i })
    );
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
    const model = new RunsModel('exp', { standby: 'never' });
    const compare = jest.fn();
    const opened = jest.fn();
    widget = ReactWidget.create(
      <RunsPanel
        model={model}
        trans={trans}
        total={10_000}
        onOpenRun={opened}
        onCompare={compare}
      />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    await waitFor(
      () => widget!.node.querySelectorAll('.jp-mlstudio-RunRow').length > 0
    );
    const rows = widget.node.querySelectorAll('.jp-mlstudio-RunRow');
    expect(rows.length).toBeLessThan(40);
    expect(queries).toHaveLength(1);
    expect(widget.node.textContent).toContain('50 of 10000 runs');

    // Scrolling near the end of the loaded runs fetches the next page.
    const list = widget.node.querySelector<HTMLElement>(
      '.jp-mlstudio-VirtualList'
    )!;
    Object.defineProperty(list, 'scrollHeight', { value: 50 * 28 });
    Object.defineProperty(list, 'clientHeight', { value: 360 });
    list.scrollTop = 50 * 28 - 360;
    list.dispatchEvent(new Event('scroll'));
    await waitFor(() => model.runs.length === 100);
    expect(queries[1]).toMatchObject({ NextToken: '50' });
    await waitFor(() =>
      (widget!.node.textContent ?? '').includes('100 of 10000 runs')
    );
    // And so does the button under the list.
    widget.node
      .querySelector<HTMLButtonElement>('.jp-mlstudio-LoadMore')!
      .click();
    await waitFor(() => model.runs.length === 150);

    const boxes = widget.node.querySelectorAll<HTMLInputElement>(
      '.jp-mlstudio-RunRow input[type=checkbox]'
    );
    boxes[0].click();
    boxes[1].click();
    await waitFor(() =>
      (widget!.node.textContent ?? '').includes('Compare (2)')
    );
    widget.node
      .querySelector<HTMLButtonElement>('.jp-mlstudio-Compare')!
      .click();
    expect(compare.mock.calls[0][0]).toHaveLength(2);
    const first = widget.node.querySelector('.jp-mlstudio-RunRow')!;
    first.querySelector<HTMLButtonElement>('.jp-mlstudio-RunRow-name')!.click();
    expect(opened).toHaveBeenCalledWith(first.getAttribute('data-run'));
    expect(rows.length).toBeGreaterThan(0);
    model.dispose();
  });
});
