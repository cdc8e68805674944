import React from 'react';

export interface IEmptyStateProps {
  /** One short line: what is missing. */
  title: string;
  /** What goes here and how it gets here. */
  children?: React.ReactNode;
}

/** The message a list shows when it has nothing in it. */
export function EmptyState(props: IEmptyStateProps): JSX.Element {
  return (
    <div className="jp-mlstudio-EmptyState" role="status">
      <p className="jp-mlstudio-EmptyState-title">{props.title}</p>
      {props.children ? (
        <p className="jp-mlstudio-EmptyState-body">{props.children}</p>
      ) : null}
    </div>
  );
}
