/**
 * The icon button that reads a list or a view again.
 */
import { refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';

export interface IRefreshButtonProps {
  /** Its title and accessible name, e.g. “Refresh job”. */
  label: string;
  /** Reads again (its promise, if any, is not awaited). */
  onRefresh: () => unknown;
  /** More classes, for a place that styles it. */
  className?: string;
}

export function RefreshButton(props: IRefreshButtonProps): JSX.Element {
  const extra = props.className ? ` ${props.className}` : '';
  return (
    <button
      type="button"
      className={`jp-Button jp-mod-minimal jp-mlstudio-IconButton${extra}`}
      title={props.label}
      aria-label={props.label}
      onClick={() => void props.onRefresh()}
    >
      <refreshIcon.react tag="span" elementSize="normal" />
    </button>
  );
}
