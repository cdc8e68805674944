/**
 * The main-area comparison of 2 to 1,000 runs of one or several experiments: the runs'
 * table (with a column chooser) first, then the charts.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { CompareTable } from '../components/CompareTable';
import { studioIcon } from '../icons';
import { differs, IRunColumn } from '../models/columns';
import { CompareModel } from '../models/compare';
import { AddRuns } from './addRuns';
import { CompareCharts } from './compareCharts';
import { useSignals } from './runs';

/** Numbers the comparison widgets' ids. */
let compareCount = 0;

export interface ICompareViewProps {
  model: CompareModel;
  trans: TranslationBundle;
  onOpenRun?: (name: string) => void;
}

/** Parameters and the last value of each metric are shown at first. */
function defaultColumns(columns: IRunColumn[]): Set<string> {
  return new Set(
    columns
      .filter(column => column.kind === 'param' || column.id.endsWith(':Last'))
      .map(column => column.id)
  );
}

/** "12 runs of exp", "30 runs of 3 experiments" or "5 runs". */
export function compareTitle(
  model: CompareModel,
  count: number,
  trans: TranslationBundle
): string {
  const experiments = model.experimentNames;
  if (experiments.length === 1) {
    return trans.__('%1 runs of %2', count, experiments[0]);
  }
  if (experiments.length > 1) {
    return trans.__('%1 runs of %2 experiments', count, experiments.length);
  }
  return trans.__('%1 runs', count);
}

export function CompareView(props: ICompareViewProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const state = model.state;
  const [chosen, setChosen] = React.useState<Set<string> | null>(null);
  const [onlyDiffering, setOnlyDiffering] = React.useState(false);
  const [sortBy, setSortBy] = React.useState<string | null>(null);
  const [descending, setDescending] = React.useState(false);

  if (state.kind === 'loading') {
    return <p className="jp-mlstudio-Loading">{trans.__('Loading runs…')}</p>;
  }
  if (state.kind === 'error') {
    return (
      <p role="alert" className="jp-mlstudio-Error">
        {state.message}
      </p>
    );
  }
  const { runs, columns } = state;
  const visible = chosen ?? defaultColumns(columns);
  const shown = columns.filter(
    column =>
      visible.has(column.id) && (!onlyDiffering || differs(column, runs))
  );
  const toggle = (id: string, on: boolean) => {
    const next = new Set(visible);
    if (on) {
      next.add(id);
    } else {
      next.delete(id);
    }
    setChosen(next);
  };

  return (
    <div className="jp-mlstudio-View jp-mlstudio-Compare-view">
      <header className="jp-mlstudio-View-header">
        <h1>{compareTitle(model, runs.length, trans)}</h1>
        <AddRuns model={model} trans={trans} />
      </header>
      <section aria-label={trans.__('Runs')}>
        <div className="jp-mlstudio-ChartControls">
          <details className="jp-mlstudio-ColumnChooser">
            <summary>
              {trans.__('Columns (%1 of %2)', visible.size, columns.length)}
            </summary>
            <div className="jp-mlstudio-ColumnChooser-list">
              {columns.map(column => (
                <label key={column.id}>
                  <input
                    type="checkbox"
                    checked={visible.has(column.id)}
                    onChange={e => toggle(column.id, e.target.checked)}
                  />
                  {column.label}
                </label>
              ))}
            </div>
          </details>
          <label className="jp-mlstudio-Field">
            <input
              type="checkbox"
              className="jp-mlstudio-OnlyDiffering"
              checked={onlyDiffering}
              onChange={e => setOnlyDiffering(e.target.checked)}
            />
            {trans.__('Only differing columns')}
          </label>
        </div>
        <CompareTable
          runs={runs}
          columns={shown}
          sortBy={sortBy}
          descending={descending}
          runHeader={trans.__('Run')}
          statusHeader={trans.__('Status')}
          onOpenRun={props.onOpenRun}
          onSort={id => {
            setDescending(sortBy === id ? !descending : false);
            setSortBy(id);
          }}
        />
      </section>
      <section aria-label={trans.__('Charts')}>
        <CompareCharts
          model={model}
          runs={runs}
          columns={columns}
          trans={trans}
        />
      </section>
    </div>
  );
}

/** The main-area widget of a comparison. */
export class CompareWidget extends MainAreaWidget<ReactWidget> {
  constructor(
    readonly model: CompareModel,
    trans: TranslationBundle,
    onOpenRun?: (name: string) => void
  ) {
    super({
      content: ReactWidget.create(
        <CompareView model={model} trans={trans} onOpenRun={onOpenRun} />
      )
    });
    this.id = `mlstudio-compare-${++compareCount}`;
    this.title.label = trans.__('Compare %1 runs', model.runNames.length);
    model.stateChanged.connect(() => {
      this.title.label = trans.__('Compare %1 runs', model.runNames.length);
    }, this);
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-CompareWidget');
    this.content.addClass('jp-mlstudio-ViewContent');
    void model.load();
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }
}
