import { TranslationBundle } from '@jupyterlab/translation';
import {
  caretDownIcon,
  caretRightIcon,
  deleteIcon,
  launchIcon,
  searchIcon
} from '@jupyterlab/ui-components';
import { Debouncer } from '@lumino/polling';
import React from 'react';

import { IExperimentSummary } from '../api/types';
import { confirmAction } from '../components/confirmAction';
import { EmptyState } from '../components/EmptyState';
import { absoluteTime, relativeTime } from '../format';
import { ExperimentsModel } from '../models/experiments';
import { LoadMore } from './loadMore';
import { RunsPanel, useSignals } from './runs';
import { SectionView, SectionWidget } from './section';

/** What the sidebar does when a run is opened or runs are compared. */
export interface IRunActions {
  openRun(name: string): void;
  /** Open the experiment view (all runs as a table) in the main area. */
  openExperiment?(name: string): void;
  /** Open the search view (runs of every experiment by metrics, parameters, tags). */
  openSearch?(): void;
  compare(experimentName: string, runs: string[]): void;
}

/** Ask, then delete an experiment with its trials and runs. */
export async function confirmDelete(
  model: ExperimentsModel,
  item: IExperimentSummary,
  trans: TranslationBundle
): Promise<void> {
  const name = item.DisplayName || item.ExperimentName;
  await confirmAction({
    title: trans.__('Delete experiment “%1”?', name),
    body: trans._n(
      'Its %1 run, their metrics and its trials are deleted. This cannot be undone.',
      'Its %1 runs, their metrics and its trials are deleted. This cannot be undone.',
      item.TrialComponentCount
    ),
    cancelLabel: trans.__('Cancel'),
    acceptLabel: trans.__('Delete'),
    failedTitle: trans.__('Could not delete “%1”', name),
    run: () => model.delete(item.ExperimentName)
  });
}

/** How long typing pauses before the search is sent, in milliseconds. */
const SEARCH_DELAY = 300;

export interface IExperimentsSectionProps {
  model: ExperimentsModel;
  trans: TranslationBundle;
  actions?: IRunActions;
}

/** The experiments list with a name search. */
export function ExperimentsSection(
  props: IExperimentsSectionProps
): JSX.Element {
  const { model, trans, actions } = props;
  useSignals(model.expandedChanged, model.stateChanged);
  const [query, setQuery] = React.useState(model.nameContains);
  const debouncer = React.useMemo(
    () =>
      new Debouncer((value: string) => {
        model.nameContains = value;
      }, SEARCH_DELAY),
    [model]
  );
  React.useEffect(() => () => debouncer.dispose(), [debouncer]);

  const search = (
    <input
      type="search"
      className="jp-mod-styled jp-mlstudio-Search"
      placeholder={trans.__('Search experiments')}
      aria-label={trans.__('Search experiments by name')}
      value={query}
      onChange={event => {
        setQuery(event.target.value);
        void debouncer.invoke(event.target.value);
      }}
    />
  );
  const tools = actions?.openSearch ? (
    <>
      {search}
      <button
        type="button"
        className="jp-Button jp-mod-minimal jp-mlstudio-IconButton"
        title={trans.__('Search runs by metrics, parameters and tags')}
        aria-label={trans.__('Search runs by metrics, parameters and tags')}
        onClick={() => actions.openSearch?.()}
      >
        <searchIcon.react tag="span" />
      </button>
    </>
  ) : (
    search
  );
  const noMatch = () =>
    model.nameContains ? (
      <EmptyState
        title={trans.__('No experiments match “%1”.', model.nameContains)}
      >
        {trans.__('The search looks for this text in experiment names.')}
      </EmptyState>
    ) : null;

  return (
    <>
      <SectionView<IExperimentSummary>
        model={model}
        trans={trans}
        texts={{
          noun: trans.__('experiments'),
          emptyTitle: trans.__('No experiments yet'),
          emptyBody: trans.__(
            'Runs you track from a notebook or a job appear here, grouped by experiment.'
          )
        }}
        tools={tools}
        renderEmpty={noMatch}
        itemKey={item => item.ExperimentName}
        itemLabel={item =>
          trans._n(
            '%2, %1 run, created %3',
            '%2, %1 runs, created %3',
            item.TrialComponentCount,
            item.DisplayName || item.ExperimentName,
            relativeTime(item.CreationTime)
          )
        }
        renderItem={item => {
          const expanded = model.isExpanded(item.ExperimentName);
          const runs = model.runs(item.ExperimentName);
          const Caret = expanded ? caretDownIcon : caretRightIcon;
          return (
            <>
              <div className="jp-mlstudio-Row-main">
                <button
                  type="button"
                  className="jp-Button jp-mod-minimal jp-mlstudio-Expand"
                  aria-expanded={expanded}
                  aria-label={trans.__('Show runs of %1', item.ExperimentName)}
                  title={
                    expanded ? trans.__('Hide runs') : trans.__('Show runs')
                  }
                  onClick={() =>
                    model.setExpanded(item.ExperimentName, !expanded)
                  }
                >
                  <Caret.react tag="span" elementSize="normal" />
                </button>
                <span
                  className="jp-mlstudio-Row-name jp-mlstudio-Row-toggle"
                  title={trans.__(
                    '%1 (double-click to open the experiment view)',
                    item.ExperimentName
                  )}
                  onClick={() =>
                    model.setExpanded(item.ExperimentName, !expanded)
                  }
                  onDoubleClick={() =>
                    actions?.openExperiment?.(item.ExperimentName)
                  }
                >
                  {item.DisplayName || item.ExperimentName}
                </span>
                <span className="jp-mlstudio-Row-count">
                  {trans._n('%1 run', '%1 runs', item.TrialComponentCount)}
                </span>
                {actions?.openExperiment && (
                  <button
                    type="button"
                    className="jp-Button jp-mod-minimal jp-mlstudio-IconButton jp-mlstudio-OpenExperiment"
                    aria-label={trans.__(
                      'Open experiment %1',
                      item.ExperimentName
                    )}
                    title={trans.__('Open the experiment view (all runs)')}
                    onClick={() =>
                      actions.openExperiment?.(item.ExperimentName)
                    }
                  >
                    <launchIcon.react tag="span" elementSize="normal" />
                  </button>
                )}
                <button
                  type="button"
                  className="jp-Button jp-mod-minimal jp-mlstudio-IconButton jp-mlstudio-Delete"
                  aria-label={trans.__(
                    'Delete experiment %1',
                    item.ExperimentName
                  )}
                  title={trans.__('Delete experiment')}
                  onClick={() => void confirmDelete(model, item, trans)}
                >
                  <deleteIcon.react tag="span" elementSize="normal" />
                </button>
              </div>
              <div className="jp-mlstudio-Row-detail">
                <time
                  dateTime={item.CreationTime}
                  title={absoluteTime(item.CreationTime)}
                >
                  {trans.__('created %1', relativeTime(item.CreationTime))}
                </time>
              </div>
              {runs && (
                <RunsPanel
                  model={runs}
                  trans={trans}
                  total={item.TrialComponentCount}
                  onOpenExperiment={
                    actions?.openExperiment &&
                    (() => actions.openExperiment?.(item.ExperimentName))
                  }
                  onOpenRun={name => actions?.openRun(name)}
                  onCompare={names =>
                    actions?.compare(item.ExperimentName, names)
                  }
                />
              )}
            </>
          );
        }}
      />
      {model.state.kind === 'ready' && model.hasMore && (
        <LoadMore
          auto
          label={trans.__('Load more experiments')}
          loading={model.loadingMore}
          onLoad={() => void model.loadMore()}
        />
      )}
    </>
  );
}

export function createExperimentsWidget(
  model: ExperimentsModel,
  trans: TranslationBundle,
  actions?: IRunActions
): SectionWidget {
  return new SectionWidget(
    () => <ExperimentsSection model={model} trans={trans} actions={actions} />,
    { id: 'mlstudio-experiments', label: trans.__('Experiments') }
  );
}
