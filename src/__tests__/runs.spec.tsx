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

  it('pages through every run of the experiment', async () => {
    const pages: Record<string, unknown> = {
      '': { TrialComponentSummaries: [run('a'), run('b')], NextToken: 't1' },
      t1: { TrialComponentSummaries: [run('c')], NextToken: null }
    };
    const queries: Record<string, unknown>[] = [];
    mockApi({
      'GET trial-components': (query: Record<string, unknown>) => {
        queries.push(query);
        return pages[(query.NextToken as string) ?? ''];
      }
    });
    model = new RunsModel('exp', { standby: 'never' });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    expect(model.runs.map(r => r.TrialComponentName)).toEqual(['a', 'b', 'c']);
    expect(queries[0]).toMatchObject({
      ExperimentName: 'exp',
      MaxResults: 1000
    });
    expect(queries[1]).toMatchObject({ NextToken: 't1' });
  });

  it('filters, sorts and keeps the selection to known runs', async () => {
    mockApi({
      'GET trial-components': {
        TrialComponentSummaries: [
          run('alpha', { loss: 0.5, Tags: { arch: 'resnet50' } }),
          run('beta', {
            loss: 0.1,
            Status: { PrimaryStatus: 'InProgress', Message: null }
          }),
          run('gamma', { Tags: { arch: 'vit' } })
        ],
        NextToken: null
      }
    });
    model = new RunsModel('exp', { standby: 'never' });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    expect(model.inProgress).toBe(true);
    expect(model.metricNames).toEqual(['loss']);

    model.sort = { key: 'metric:loss', descending: false };
    expect(model.shown.map(r => r.TrialComponentName)).toEqual([
      'beta',
      'alpha',
      'gamma'
    ]);
    model.filter = { text: '', tag: 'arch=resnet', status: '' };
    expect(model.shown.map(r => r.TrialComponentName)).toEqual(['alpha']);
    model.filter = { text: '', tag: 'arch', status: '' };
    expect(model.shown).toHaveLength(2);
    model.filter = { text: 'BET', tag: '', status: 'InProgress' };
    expect(model.shown.map(r => r.TrialComponentName)).toEqual(['beta']);

    model.selectShown(true);
    model.toggle('gamma');
    expect([...model.selected].sort()).toEqual(['beta', 'gamma']);
    model.toggle('gamma');
    expect([...model.selected]).toEqual(['beta']);
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

  it('renders a window of 10,000 runs and compares the checked ones', async () => {
    const runs = Array.from({ length: 10_000 }, (_, i) =>
      run(`run-${i}`, { loss: i })
    );
    mockApi({
      'GET trial-components': {
        TrialComponentSummaries: runs,
        NextToken: null
      }
    });
    const model = new RunsModel('exp', { standby: 'never' });
    const compare = jest.fn();
    const opened = jest.fn();
    widget = ReactWidget.create(
      <RunsPanel
        model={model}
        trans={trans}
        onOpenRun={opened}
        onCompare={compare}
      />
    );
    Widget.attach(widget, document.body);
    model.active = true;
    await waitFor(
      () => widget!.node.querySelectorAll('.jp-mlstudio-RunRow').length > 0,
      10_000
    );
    const rows = widget.node.querySelectorAll('.jp-mlstudio-RunRow');
    expect(rows.length).toBeLessThan(40);
    expect(widget.node.textContent).toContain('10000 of 10000 runs');

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
    widget.node
      .querySelector<HTMLButtonElement>('.jp-mlstudio-RunRow-name')!
      .click();
    expect(opened).toHaveBeenCalledWith(rows[0].getAttribute('data-run'));
    model.dispose();
  });
});
