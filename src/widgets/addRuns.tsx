/** The compare view's picker that adds the runs of another experiment. */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { listExperiments } from '../api/experiments';
import { MAX_COMPARE, CompareModel } from '../models/compare';

/** Experiments the picker lists (by name, optionally filtered). */
const PICKER_SIZE = 50;

/**
 * "Add runs": pick an experiment (filtered by name) and add its runs, up to 1,000 runs
 * in all; the table and charts then show the runs of every experiment picked.
 */
export function AddRuns(props: {
  model: CompareModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const [open, setOpen] = React.useState(false);
  const [filter, setFilter] = React.useState('');
  const [names, setNames] = React.useState<string[] | null>(null);
  const [chosen, setChosen] = React.useState('');
  const [message, setMessage] = React.useState('');
  const [busy, setBusy] = React.useState(false);

  React.useEffect(() => {
    if (!open) {
      return;
    }
    let cancelled = false;
    listExperiments({
      NameContains: filter.trim() || undefined,
      SortBy: 'Name',
      MaxResults: PICKER_SIZE
    })
      .then(answer => {
        if (!cancelled) {
          const found = answer.ExperimentSummaries.map(e => e.ExperimentName);
          setNames(found);
          setChosen(current =>
            found.includes(current) ? current : (found[0] ?? '')
          );
        }
      })
      .catch(reason => !cancelled && setMessage(String(reason)));
    return () => {
      cancelled = true;
    };
  }, [open, filter]);

  const add = async () => {
    setBusy(true);
    setMessage('');
    try {
      const added = await model.addRuns(chosen);
      setMessage(
        added
          ? trans.__('Added %1 runs of %2.', added, chosen)
          : model.runNames.length >= MAX_COMPARE
            ? trans.__('A comparison holds at most %1 runs.', MAX_COMPARE)
            : trans.__('%1 has no runs to add.', chosen)
      );
    } catch (reason) {
      setMessage(reason instanceof Error ? reason.message : String(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details
      className="jp-mlstudio-AddRuns"
      onToggle={e => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary>{trans.__('Add runs from an experiment')}</summary>
      <div className="jp-mlstudio-AddRuns-form">
        <input
          type="search"
          className="jp-mod-styled"
          aria-label={trans.__('Filter experiments')}
          placeholder={trans.__('Filter experiments')}
          value={filter}
          onChange={e => setFilter(e.target.value)}
        />
        {names && names.length === 0 ? (
          <span className="jp-mlstudio-Muted">
            {trans.__('No experiment matches.')}
          </span>
        ) : (
          <select
            className="jp-mod-styled jp-mlstudio-AddRuns-experiment"
            aria-label={trans.__('Experiment')}
            value={chosen}
            disabled={!names}
            onChange={e => setChosen(e.target.value)}
          >
            {(names ?? []).map(name => (
              <option key={name}>{name}</option>
            ))}
          </select>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-AddRuns-add"
          disabled={!chosen || busy}
          onClick={() => void add()}
        >
          {trans.__('Add its runs')}
        </button>
      </div>
      {message && (
        <p role="status" className="jp-mlstudio-AddRuns-message">
          {message}
        </p>
      )}
    </details>
  );
}
