import { TranslationBundle } from '@jupyterlab/translation';
import { Debouncer } from '@lumino/polling';
import React from 'react';

import { IExperimentSummary } from '../api/types';
import { EmptyState } from '../components/EmptyState';
import { absoluteTime, relativeTime } from '../format';
import { ExperimentsModel } from '../models/experiments';
import { SectionView, SectionWidget } from './section';

/** How long typing pauses before the search is sent, in milliseconds. */
const SEARCH_DELAY = 300;

export interface IExperimentsSectionProps {
  model: ExperimentsModel;
  trans: TranslationBundle;
}

/** The experiments list with a name search. */
export function ExperimentsSection(
  props: IExperimentsSectionProps
): JSX.Element {
  const { model, trans } = props;
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
  const noMatch = () =>
    model.nameContains ? (
      <EmptyState
        title={trans.__('No experiments match “%1”.', model.nameContains)}
      >
        {trans.__('The search looks for this text in experiment names.')}
      </EmptyState>
    ) : null;

  return (
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
      tools={search}
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
      renderItem={item => (
        <>
          <div className="jp-mlstudio-Row-main">
            <span className="jp-mlstudio-Row-name" title={item.ExperimentName}>
              {item.DisplayName || item.ExperimentName}
            </span>
            <span className="jp-mlstudio-Row-count">
              {trans._n('%1 run', '%1 runs', item.TrialComponentCount)}
            </span>
          </div>
          <div className="jp-mlstudio-Row-detail">
            <time
              dateTime={item.CreationTime}
              title={absoluteTime(item.CreationTime)}
            >
              {trans.__('created %1', relativeTime(item.CreationTime))}
            </time>
          </div>
        </>
      )}
    />
  );
}

export function createExperimentsWidget(
  model: ExperimentsModel,
  trans: TranslationBundle
): SectionWidget {
  return new SectionWidget(
    () => <ExperimentsSection model={model} trans={trans} />,
    { id: 'mlstudio-experiments', label: trans.__('Experiments') }
  );
}
