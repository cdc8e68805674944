jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { SearchModel, valueOf } from '../search/model';
import { SearchView } from '../widgets/searchView';
import { mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');

function record(name: string, accuracy: number, lr: number) {
  return {
    TrialComponent: {
      TrialComponentName: name,
      DisplayName: name,
      Status: { PrimaryStatus: 'Completed' },
      Parents: [{ TrialName: 't', ExperimentName: 'exp' }],
      Parameters: { lr: { NumberValue: lr } },
      Metrics: [{ MetricName: 'accuracy', Max: accuracy, Last: accuracy }]
    }
  };
}

/** Type into a React-controlled input, the caret at the end. */
function type(input: HTMLInputElement, value: string) {
  Object.getOwnPropertyDescriptor(
    HTMLInputElement.prototype,
    'value'
  )!.set!.call(input, value);
  input.setSelectionRange(value.length, value.length);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function key(target: Element, k: string) {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
}

describe('SearchView', () => {
  let widget: Widget | null = null;
  let bodies: Record<string, unknown>[];
  const compare = jest.fn();
  const openRun = jest.fn();

  beforeEach(() => {
    mockedRequestAPI.mockReset();
    compare.mockReset();
    openRun.mockReset();
    bodies = [];
    mockApi({
      'GET search/names': {
        Parameters: ['lr'],
        Metrics: ['accuracy'],
        Tags: ['team']
      },
      'POST search': (_: unknown, body: unknown) => {
        bodies.push(body as Record<string, unknown>);
        const token = (body as { NextToken?: string | null }).NextToken;
        return token
          ? {
              Results: [record('run-3', 0.91, 0.001)],
              TotalHits: { Value: 3 },
              NextToken: null
            }
          : {
              Results: [
                record('run-1', 0.99, 0.005),
                record('run-2', 0.95, 0.001)
              ],
              TotalHits: { Value: 3, Relation: 'EqualTo' },
              NextToken: 'page-2'
            };
      }
    });
  });
  afterEach(() => {
    widget?.dispose();
    widget = null;
  });

  /** The view, its names loaded first unless `names` is false. */
  async function mount(names = true): Promise<{
    model: SearchModel;
    input: HTMLInputElement;
  }> {
    const model = new SearchModel();
    if (names) {
      await model.refresh();
    }
    widget = ReactWidget.create(
      <SearchView model={model} trans={trans} actions={{ compare, openRun }} />
    );
    Widget.attach(widget, document.body);
    await waitFor(() => widget!.node.querySelector('input') !== null);
    const input = widget.node.querySelector<HTMLInputElement>(
      'input[role="combobox"]'
    )!;
    return { model, input };
  }

  it('completes names that arrive after the typing', async () => {
    const { model, input } = await mount(false);
    type(input, 'metrics.acc');
    expect(widget!.node.querySelector('[role="listbox"]')).toBeNull();
    await model.refresh();
    await waitFor(
      () => widget!.node.querySelectorAll('[role="option"]').length === 4
    );
    expect(input.getAttribute('aria-expanded')).toBe('true');
  });

  it('puts the caret after an accepted option before the next key', async () => {
    const { input } = await mount();
    const text = 'metrics.acc > 0.5';
    Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!.call(input, text);
    input.setSelectionRange(11, 11); // after "metrics.acc"
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await waitFor(
      () => widget!.node.querySelectorAll('[role="option"]').length === 4
    );
    key(input, 'Tab');
    await waitFor(() => input.value === 'metrics.accuracy.max > 0.5');
    // at once, not a frame later: a key typed now lands after the option
    expect(input.selectionStart).toBe('metrics.accuracy.max'.length);
  });

  it('completes the names that exist with the keyboard', async () => {
    const { input } = await mount();
    expect(widget!.node.textContent).toContain(
      'Search runs across experiments'
    );
    type(input, 'metrics.acc');
    await waitFor(
      () => widget!.node.querySelector('[role="listbox"]') !== null
    );
    const options = () =>
      Array.from(widget!.node.querySelectorAll('[role="option"]')).map(
        o => o.textContent
      );
    expect(options()).toEqual([
      'metrics.accuracy.max',
      'metrics.accuracy.min',
      'metrics.accuracy.last',
      'metrics.accuracy.avg'
    ]);
    expect(input.getAttribute('aria-expanded')).toBe('true');
    key(input, 'ArrowDown');
    await waitFor(
      () =>
        widget!.node.querySelector('[aria-selected="true"]')?.textContent ===
        'metrics.accuracy.min'
    );
    expect(input.getAttribute('aria-activedescendant')).toBe(
      'jp-mlstudio-SearchCompletions-1'
    );
    key(input, 'Tab');
    await waitFor(() => input.value === 'metrics.accuracy.min ');
    expect(widget!.node.querySelector('[role="listbox"]')).toBeNull();
    type(input, 'metrics.accuracy.min > 0.5 and par');
    await waitFor(() => options().length === 1);
    key(input, 'Escape');
    await waitFor(
      () => widget!.node.querySelector('[role="listbox"]') === null
    );
    expect(input.value).toBe('metrics.accuracy.min > 0.5 and par');
  });

  it('searches on Enter, shows the results and compares the selection', async () => {
    const { model, input } = await mount();
    type(input, 'metrics.accuracy.max > 0.9 and parameters.lr < 0.01');
    key(input, 'Escape');
    key(input, 'Enter');
    await waitFor(() => model.state.kind === 'results');
    await waitFor(() => widget!.node.querySelectorAll('tbody tr').length === 2);
    expect(bodies[0]).toEqual({
      Resource: 'ExperimentTrialComponent',
      SearchExpression: {
        Operator: 'And',
        Filters: [
          {
            Name: 'Metrics.accuracy.Max',
            Operator: 'GreaterThan',
            Value: '0.9'
          },
          { Name: 'Parameters.lr', Operator: 'LessThan', Value: '0.01' }
        ]
      },
      SortBy: 'Metrics.accuracy.Max',
      SortOrder: 'Descending',
      MaxResults: 100,
      NextToken: null
    });
    const text = widget!.node.textContent ?? '';
    expect(text).toContain('3 runs match (2 shown)');
    const headers = Array.from(widget!.node.querySelectorAll('th')).map(
      h => h.textContent
    );
    expect(headers).toEqual(
      expect.arrayContaining(['Metrics.accuracy.Max', 'Parameters.lr'])
    );
    const rows = () =>
      Array.from(widget!.node.querySelectorAll<HTMLElement>('tbody tr'));
    expect(rows()[0].textContent).toContain('0.99');
    expect(rows()[0].textContent).toContain('exp');

    // all shown when nothing is selected; Space selects a row, Enter opens its run
    const button = () =>
      Array.from(
        widget!.node.querySelectorAll<HTMLButtonElement>('button')
      ).find(b => /^Compare/.test(b.textContent ?? ''))!;
    expect(button().textContent).toBe('Compare all shown (2)');
    key(rows()[1], ' ');
    await waitFor(() => button().textContent === 'Compare selected (1)');
    expect(rows()[1].getAttribute('aria-selected')).toBe('true');
    button().click();
    expect(compare).toHaveBeenCalledWith(['run-2']);
    key(rows()[0], 'Enter');
    expect(openRun).toHaveBeenCalledWith('run-1');

    // the next page comes on demand
    Array.from(widget!.node.querySelectorAll<HTMLButtonElement>('button'))
      .find(b => b.textContent === 'Show more')!
      .click();
    await waitFor(() => rows().length === 3);
    expect(bodies[1]).toMatchObject({ NextToken: 'page-2' });
  });

  it('shows where an expression is wrong without searching', async () => {
    const { input } = await mount();
    type(input, 'metrics.accuracy.max 0.9');
    key(input, 'Enter');
    await waitFor(() => widget!.node.querySelector('[role="alert"]') !== null);
    const alert = widget!.node.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('Expected an operator');
    expect(alert.querySelector('code')!.textContent).toBe(
      'metrics.accuracy.max 0.9\n' + ' '.repeat(21) + '^^^'
    );
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(bodies).toHaveLength(0);
  });

  it('says when nothing matches', async () => {
    mockApi({
      'GET search/names': { Parameters: [], Metrics: [], Tags: [] },
      'POST search': { Results: [], TotalHits: { Value: 0 }, NextToken: null }
    });
    const { model } = await mount();
    await model.run('tags.team = nobody');
    await waitFor(() =>
      (widget!.node.textContent ?? '').includes('No runs match.')
    );
  });
});

describe('valueOf', () => {
  it('reads the statistic, parameter or tag a column names', () => {
    const run = {
      TrialComponentName: 'r',
      Parameters: { lr: { NumberValue: 0.001 }, opt: { StringValue: 'adam' } },
      Metrics: [{ MetricName: 'val.loss', Min: 0.12345, Last: 1000 }],
      Tags: [{ Key: 'team', Value: 'vision' }]
    };
    expect(valueOf(run, 'Metrics.val.loss.Min')).toBe('0.1235');
    expect(valueOf(run, 'Metrics.val.loss')).toBe('1000');
    expect(valueOf(run, 'Parameters.lr')).toBe('0.001');
    expect(valueOf(run, 'Parameters.opt')).toBe('adam');
    expect(valueOf(run, 'Tags.team')).toBe('vision');
    expect(valueOf(run, 'Metrics.acc.Max')).toBe('');
  });
});
