import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IClusterNode, shortNodeId } from '../models/nodes';

/**
 * A cluster node, short: the first characters of its id and its address; the full id
 * in the tooltip.
 */
export function NodeLabel(props: {
  node: IClusterNode;
  trans: TranslationBundle;
  className?: string;
}): JSX.Element {
  const { node, trans } = props;
  const full = node.Address
    ? trans.__('node %1 at %2', node.NodeId, node.Address)
    : trans.__('node %1', node.NodeId);
  return (
    <span
      className={`jp-mlstudio-NodeLabel ${props.className ?? ''}`.trim()}
      data-node={node.NodeId}
      title={full}
    >
      <code className="jp-mlstudio-NodeLabel-id">
        {shortNodeId(node.NodeId)}
      </code>
      {node.Address ? (
        <span className="jp-mlstudio-NodeLabel-address">{node.Address}</span>
      ) : null}
    </span>
  );
}
