import React from 'react';

export interface IErrorStateProps {
  /** What failed, e.g. "Could not load experiments." */
  title: string;
  /** The server's message. */
  message: string;
  retryLabel: string;
  onRetry: () => void;
}

/** A failure with the server's message and a retry button. */
export function ErrorState(props: IErrorStateProps): JSX.Element {
  return (
    <div className="jp-mlstudio-ErrorState" role="alert">
      <p className="jp-mlstudio-ErrorState-title">{props.title}</p>
      <p className="jp-mlstudio-ErrorState-message">{props.message}</p>
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-reject jp-mlstudio-RetryButton"
        onClick={props.onRetry}
      >
        {props.retryLabel}
      </button>
    </div>
  );
}
