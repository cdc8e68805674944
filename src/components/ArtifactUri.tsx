/**
 * An artifact's URI in a view: relative to the studio's artifact root, with the whole
 * URI in its tooltip and on the clipboard when the shown path is copied whole.
 */
import React from 'react';

import { artifactDisplayUri } from '../format';
import { ArtifactRoot } from '../models/artifactRoot';
import { useSignals } from './useSignals';

/** The artifact root a view prints URIs against; none prints them whole. */
export const ArtifactRootContext = React.createContext<ArtifactRoot | null>(
  null
);

/** `element` printing its URIs against `root` (when there is one). */
export function withArtifactRoot(
  root: ArtifactRoot | null | undefined,
  element: JSX.Element
): JSX.Element {
  return (
    <ArtifactRootContext.Provider value={root ?? null}>
      {element}
    </ArtifactRootContext.Provider>
  );
}

/** The studio's artifact root URI as the view knows it (null while unknown). */
export function useArtifactRootUri(): string | null {
  const root = React.useContext(ArtifactRootContext);
  useSignals(...(root ? [root.changed] : []));
  return root?.uri ?? null;
}

/**
 * A `<code>` showing `uri` relative to the artifact root. Selecting the shown path
 * whole and copying it copies the whole URI; a part of it copies as selected.
 */
export function ArtifactUri(props: {
  uri: string;
  className?: string;
}): JSX.Element {
  const { uri } = props;
  const shown = artifactDisplayUri(uri, useArtifactRootUri());
  const onCopy = (event: React.ClipboardEvent<HTMLElement>) => {
    const selected = window.getSelection()?.toString().trim();
    if (shown !== uri && selected === shown) {
      event.clipboardData.setData('text/plain', uri);
      event.preventDefault();
    }
  };
  return (
    <code className={props.className} title={uri} onCopy={onCopy}>
      {shown}
    </code>
  );
}
