/**
 * Where a job's hosts and an endpoint's instances run when their runtime places them on
 * the nodes of a cluster (the Ray runtime): the node's id and address. A job keeps its
 * hosts' nodes in `Outputs.Hosts` (so an ended job still says where they ran); an
 * endpoint's describe gives each instance its `Node`. Other runtimes run everything on
 * the studio's machine and give no node. The readers never throw on a missing field or
 * one of another shape.
 */
import { IEndpointInstance } from '../api/endpoints';
import { IJob } from '../api/types';

/** A node of the cluster: its id (Ray's, 56 hex digits) and its IP address. */
export interface IClusterNode {
  NodeId: string;
  Address: string;
}

/** How many characters of a node id the views show (as Ray's own tools do). */
export const SHORT_NODE_ID = 8;

/** The first characters of a node id, enough to tell the nodes of a cluster apart. */
export function shortNodeId(nodeId: string): string {
  return nodeId.slice(0, SHORT_NODE_ID);
}

/** A node read from an unknown value, or null when it names none. */
export function readNode(value: unknown): IClusterNode | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const { NodeId, Address } = value as Record<string, unknown>;
  if (typeof NodeId !== 'string' || !NodeId) {
    return null;
  }
  return { NodeId, Address: typeof Address === 'string' ? Address : '' };
}

/** The node of each host of a job (algo-1 …), for those the job recorded one. */
export function jobHostNodes(job: IJob): Map<string, IClusterNode> {
  const nodes = new Map<string, IClusterNode>();
  const outputs = job.Outputs as Record<string, unknown> | null | undefined;
  const hosts = outputs?.Hosts;
  if (!Array.isArray(hosts)) {
    return nodes;
  }
  for (const entry of hosts) {
    const host = (entry as Record<string, unknown> | null)?.Host;
    const node = readNode((entry as Record<string, unknown> | null)?.Node);
    if (typeof host === 'string' && node) {
      nodes.set(host, node);
    }
  }
  return nodes;
}

/** The node an endpoint's instance runs on, when its runtime placed it on one. */
export function instanceNode(instance: IEndpointInstance): IClusterNode | null {
  return readNode(instance.Node);
}
