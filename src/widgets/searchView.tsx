/**
 * The search view: a box that takes an expression (`metrics.accuracy.max > 0.9 and
 * parameters.lr < 0.01`) with completion (the names that exist, the word operators,
 * statuses, and, or, sort by: `search/completion.ts`), and the matching
 * runs as a table; selected runs (or all shown) open in the compare view.
 *
 * Keyboard: in the box, ArrowDown/ArrowUp move through the completions, Tab or Enter
 * accepts one, Escape closes them, Enter (with none open) searches. In the table,
 * Space selects a row, Enter opens its run.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, searchIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { EmptyState } from '../components/EmptyState';
import { accept, complete, ICompletion } from '../search/completion';
import { ISearchRun, SearchModel, valueOf } from '../search/model';
import { MainAreaView } from './mainAreaView';
import { useSignals } from '../components/useSignals';

export interface ISearchActions {
  /** Open runs in the compare view. */
  compare(runs: string[]): void;
  /** Open one run's view. */
  openRun(name: string): void;
}

export interface ISearchViewProps {
  model: SearchModel;
  trans: TranslationBundle;
  actions: ISearchActions;
}

const LISTBOX_ID = 'jp-mlstudio-SearchCompletions';

/** The expression box with its completion list. */
export function SearchBox(props: ISearchViewProps): JSX.Element {
  const { model, trans } = props;
  const [text, setText] = React.useState(model.text);
  // The caret where completion is open, or null when closed. The options are worked
  // out on each render, so names that arrive after the typing still complete.
  const [caret, setCaret] = React.useState<number | null>(null);
  const [highlight, setActive] = React.useState(0);
  const input = React.useRef<HTMLInputElement>(null);
  const moveTo = React.useRef<number | null>(null);
  const completion: ICompletion | null =
    caret === null ? null : complete(text, caret, model.names);
  const active = completion
    ? Math.min(highlight, completion.options.length - 1)
    : 0;

  const update = (value: string, cursor: number) => {
    setText(value);
    setCaret(cursor);
    setActive(0);
  };
  const choose = (option: string) => {
    if (!completion) {
      return;
    }
    const next = accept(text, completion, option);
    moveTo.current = next.cursor;
    setText(next.text);
    setCaret(null);
  };
  // The caret goes after an accepted option as soon as the new text is in the box,
  // before the next key arrives (a later frame would move it behind what was typed).
  React.useLayoutEffect(() => {
    if (moveTo.current !== null) {
      input.current?.setSelectionRange(moveTo.current, moveTo.current);
      moveTo.current = null;
    }
  });
  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    const open = completion !== null && completion.options.length > 0;
    if (open && event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((active + 1) % completion.options.length);
    } else if (open && event.key === 'ArrowUp') {
      event.preventDefault();
      setActive(
        (active - 1 + completion.options.length) % completion.options.length
      );
    } else if (open && (event.key === 'Tab' || event.key === 'Enter')) {
      event.preventDefault();
      choose(completion.options[active]);
    } else if (open && event.key === 'Escape') {
      event.preventDefault();
      setCaret(null);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void model.run(text);
    }
  };
  const state = model.state;
  const error = state.kind === 'invalid' ? state.error : null;
  return (
    <div className="jp-mlstudio-SearchBox">
      <div className="jp-mlstudio-SearchBox-row">
        <input
          ref={input}
          type="text"
          className="jp-mod-styled jp-mlstudio-SearchBox-input"
          role="combobox"
          aria-label={trans.__('Search expression')}
          aria-autocomplete="list"
          aria-expanded={completion !== null}
          aria-controls={LISTBOX_ID}
          aria-activedescendant={
            completion ? `${LISTBOX_ID}-${active}` : undefined
          }
          aria-invalid={error !== null}
          placeholder={trans.__(
            'metrics.accuracy.max > 0.9 and parameters.lr < 0.01'
          )}
          spellCheck={false}
          value={text}
          onChange={event =>
            update(
              event.target.value,
              event.target.selectionStart ?? event.target.value.length
            )
          }
          onKeyDown={onKeyDown}
          onBlur={() => setCaret(null)}
        />
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept"
          onClick={() => void model.run(text)}
        >
          {trans.__('Search')}
        </button>
      </div>
      {completion ? (
        <ul
          id={LISTBOX_ID}
          role="listbox"
          className="jp-mlstudio-SearchBox-completions"
        >
          {completion.options.map((option, i) => (
            <li
              key={option}
              id={`${LISTBOX_ID}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'jp-mod-active' : undefined}
              onMouseDown={event => {
                event.preventDefault(); // keep the focus in the box
                choose(option);
              }}
            >
              {option}
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p role="alert" className="jp-mlstudio-SearchBox-error">
          {error.message}
          <code className="jp-mlstudio-SearchBox-where" aria-hidden="true">
            {model.text}
            {'\n'}
            {' '.repeat(error.position)}
            {'^'.repeat(Math.max(1, error.length))}
          </code>
        </p>
      ) : null}
    </div>
  );
}

/** The results: a table of runs, selectable, with the properties the search used. */
export function SearchResults(props: ISearchViewProps): JSX.Element | null {
  const { model, trans, actions } = props;
  const state = model.state;
  if (state.kind === 'idle' || state.kind === 'invalid') {
    return state.kind === 'idle' ? (
      <EmptyState title={trans.__('Search runs across experiments')}>
        {trans.__(
          'Type an expression such as metrics.accuracy.max > 0.9 and parameters.lr < 0.01, with or, parentheses, tags.team = "vision", name contains "resnet", status = Completed; then press Enter.'
        )}
      </EmptyState>
    ) : null;
  }
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading" role="status">
        {trans.__('Searching…')}
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <p role="alert" className="jp-mlstudio-Error">
        {state.message}
      </p>
    );
  }
  if (state.runs.length === 0) {
    return (
      <EmptyState title={trans.__('No runs match.')}>
        {trans.__('Loosen a condition, or check the names the box completes.')}
      </EmptyState>
    );
  }
  const properties = [...new Set(state.parsed.properties)].filter(p =>
    /^(Metrics|Parameters|Tags)\./.test(p)
  );
  const selected = [...model.selected];
  const toCompare =
    selected.length > 0 ? selected : state.runs.map(r => r.TrialComponentName);
  return (
    <div className="jp-mlstudio-SearchResults">
      <div className="jp-mlstudio-SearchResults-bar">
        <span role="status">
          {trans._n('%1 run matches', '%1 runs match', state.total)}
          {state.runs.length < state.total
            ? trans.__(' (%1 shown)', state.runs.length)
            : ''}
        </span>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={toCompare.length === 0}
          onClick={() => actions.compare(toCompare)}
        >
          {selected.length > 0
            ? trans.__('Compare selected (%1)', selected.length)
            : trans.__('Compare all shown (%1)', toCompare.length)}
        </button>
      </div>
      <table className="jp-mlstudio-SearchResults-table">
        <thead>
          <tr>
            <th scope="col">
              <span className="jp-mlstudio-VisuallyHidden">
                {trans.__('Selected')}
              </span>
            </th>
            <th scope="col">{trans.__('Run')}</th>
            <th scope="col">{trans.__('Experiment')}</th>
            <th scope="col">{trans.__('Status')}</th>
            {properties.map(p => (
              <th scope="col" key={p}>
                {p}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {state.runs.map(run => (
            <ResultRow
              key={run.TrialComponentName}
              run={run}
              properties={properties}
              selected={model.selected.has(run.TrialComponentName)}
              onToggle={() => model.toggle(run.TrialComponentName)}
              onOpen={() => actions.openRun(run.TrialComponentName)}
              trans={trans}
            />
          ))}
        </tbody>
      </table>
      {state.nextToken ? (
        <button
          type="button"
          className="jp-Button jp-mod-styled"
          disabled={state.loadingMore}
          onClick={() => void model.more()}
        >
          {state.loadingMore ? trans.__('Loading…') : trans.__('Show more')}
        </button>
      ) : null}
    </div>
  );
}

function ResultRow(props: {
  run: ISearchRun;
  properties: string[];
  selected: boolean;
  onToggle: () => void;
  onOpen: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { run, properties, selected, trans } = props;
  const name = run.DisplayName || run.TrialComponentName;
  const experiments = [
    ...new Set((run.Parents ?? []).map(p => p.ExperimentName))
  ];
  return (
    <tr
      tabIndex={0}
      aria-selected={selected}
      className={selected ? 'jp-mod-selected' : undefined}
      data-run={run.TrialComponentName}
      onKeyDown={event => {
        if (event.target !== event.currentTarget) {
          return;
        }
        if (event.key === ' ') {
          event.preventDefault();
          props.onToggle();
        } else if (event.key === 'Enter') {
          event.preventDefault();
          props.onOpen();
        }
      }}
      onDoubleClick={props.onOpen}
    >
      <td>
        <input
          type="checkbox"
          checked={selected}
          aria-label={trans.__('Select %1', name)}
          onChange={props.onToggle}
        />
      </td>
      <td>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mlstudio-SearchResults-name"
          onClick={props.onOpen}
          tabIndex={-1}
        >
          {name}
        </button>
      </td>
      <td>{experiments.join(', ')}</td>
      <td>{run.Status?.PrimaryStatus ?? ''}</td>
      {properties.map(p => (
        <td key={p} className="jp-mlstudio-SearchResults-number">
          {valueOf(run, p)}
        </td>
      ))}
    </tr>
  );
}

/** The whole view. */
export function SearchView(props: ISearchViewProps): JSX.Element {
  useSignals(props.model.stateChanged);
  return (
    <div className="jp-mlstudio-SearchView">
      <SearchBox {...props} />
      <SearchResults {...props} />
    </div>
  );
}

/** Numbers the search views' ids. */
let searchCount = 0;

/** The search view as a main-area widget. */
export class SearchWidget extends MainAreaView<SearchModel> {
  constructor(
    model: SearchModel,
    trans: TranslationBundle,
    actions: ISearchActions
  ) {
    super(
      model,
      ReactWidget.create(
        <SearchView model={model} trans={trans} actions={actions} />
      )
    );
    this.id = `jp-mlstudio-search-${++searchCount}`;
    this.title.label = trans.__('Search runs');
    this.title.icon = searchIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-SearchWidget');
  }
}
