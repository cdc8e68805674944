/**
 * What every sidebar section has in common: a toolbar row with a refresh button, and
 * the loading / error / empty / list states of its model.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React from 'react';

import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { SectionModel, SectionState } from '../models/section';
import { RefreshButton } from '../components/RefreshButton';

export interface ISectionTexts {
  /** The section's name in sentences, e.g. "experiments". */
  noun: string;
  emptyTitle: string;
  emptyBody: string;
}

export interface ISectionViewProps<T> {
  model: SectionModel<T>;
  trans: TranslationBundle;
  texts: ISectionTexts;
  /** The key of an item. */
  itemKey: (item: T) => string;
  /** One row; rendered inside a focusable list item. */
  renderItem: (item: T) => React.ReactNode;
  /** The accessible label of a row. */
  itemLabel: (item: T) => string;
  /** Extra controls before the refresh button (e.g. a search box). */
  tools?: React.ReactNode;
  /** A one-line summary of the loaded items, shown when there are no tools. */
  summary?: (items: T[]) => string;
  /** Replaces the empty state when it returns something (e.g. a search matched nothing). */
  renderEmpty?: () => React.ReactNode;
  /** Opens an item: a click on its row, or Enter while the row has the focus. */
  onOpenItem?: (item: T) => void;
}

/** A section body that re-renders whenever its model's state changes. */
export function SectionView<T>(props: ISectionViewProps<T>): JSX.Element {
  const { model, trans, texts } = props;
  return (
    <div className="jp-mlstudio-Section">
      <UseSignal signal={model.stateChanged} initialArgs={model.state}>
        {(_, state) => {
          state = state ?? model.state;
          const summary =
            state.kind === 'ready' && state.items.length && props.summary
              ? props.summary(state.items)
              : '';
          return (
            <>
              <div className="jp-mlstudio-Section-toolbar">
                {props.tools ?? (
                  <span className="jp-mlstudio-Section-summary">{summary}</span>
                )}
                <RefreshButton
                  label={trans.__('Refresh %1', texts.noun)}
                  onRefresh={() => model.refresh()}
                />
              </div>
              {renderState(props, state)}
            </>
          );
        }}
      </UseSignal>
    </div>
  );
}

function renderState<T>(
  props: ISectionViewProps<T>,
  state: SectionState<T>
): React.ReactNode {
  const { trans, texts } = props;
  const onOpen = props.onOpenItem;
  switch (state.kind) {
    case 'loading':
      return (
        <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
          {trans.__('Loading %1…', texts.noun)}
        </p>
      );
    case 'error':
      return (
        <ErrorState
          title={trans.__('Could not load %1.', texts.noun)}
          message={state.message}
          retryLabel={trans.__('Retry')}
          onRetry={() => void props.model.refresh()}
        />
      );
    case 'missing-extension':
      // The sidebar shows one notice for the whole studio instead.
      return null;
    case 'ready':
      if (state.items.length === 0) {
        return (
          props.renderEmpty?.() ?? (
            <EmptyState title={texts.emptyTitle}>{texts.emptyBody}</EmptyState>
          )
        );
      }
      return (
        <ul
          className="jp-mlstudio-List"
          aria-label={texts.noun}
          onKeyDown={moveFocus}
        >
          {state.items.map(item => (
            <li
              key={props.itemKey(item)}
              className={`jp-mlstudio-Row${onOpen ? ' jp-mod-openable' : ''}`}
              tabIndex={0}
              aria-label={props.itemLabel(item)}
              onClick={onOpen && (() => onOpen(item))}
              onKeyDown={
                onOpen &&
                (event => {
                  if (
                    event.key === 'Enter' &&
                    event.target === event.currentTarget
                  ) {
                    event.preventDefault();
                    onOpen(item);
                  }
                })
              }
            >
              {props.renderItem(item)}
            </li>
          ))}
        </ul>
      );
  }
}

/** Arrow keys move between rows, Home/End to the first/last. */
function moveFocus(event: React.KeyboardEvent<HTMLUListElement>): void {
  const rows = Array.from(event.currentTarget.children) as HTMLElement[];
  const index = rows.indexOf(document.activeElement as HTMLElement);
  if (index < 0) {
    return;
  }
  const target = {
    ArrowDown: Math.min(index + 1, rows.length - 1),
    ArrowUp: Math.max(index - 1, 0),
    Home: 0,
    End: rows.length - 1
  }[event.key];
  if (target !== undefined) {
    event.preventDefault();
    rows[target].focus();
  }
}

/** A Lumino widget hosting one section, so the sidebar's accordion can hold it. */
export class SectionWidget extends ReactWidget {
  constructor(
    private _render: () => JSX.Element,
    options: { id: string; label: string }
  ) {
    super();
    this.id = options.id;
    this.title.label = options.label;
    this.addClass('jp-mlstudio-SectionWidget');
  }

  protected render(): JSX.Element {
    return this._render();
  }
}
