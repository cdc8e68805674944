/**
 * A pipeline's graph, built from its definition (SageMaker's JSON, Version
 * "2020-12-01") and coloured by an execution's steps: a node per step (a condition's
 * If/Else branch steps included), an edge per `DependsOn`, per `{"Get": "Steps.X…"}`
 * reference (the step waits for X) and from a condition to each of its branch steps
 * (labelled true or false); laid out top to bottom with dagre.
 */
import { Graph, layout } from '@dagrejs/dagre';

import { IPipelineExecutionStep, StepStatus } from '../api/pipelines';

/** A step of a definition as written (only what the graph reads is typed). */
export interface IDefinitionStep {
  Name: string;
  Type: string;
  DependsOn?: string[];
  Arguments?: Record<string, unknown>;
  DisplayName?: string;
  Description?: string;
  [key: string]: unknown;
}

/** A parameter of a definition. */
export interface IDefinitionParameter {
  Name: string;
  Type: string;
  DefaultValue?: unknown;
}

/** A definition's parameters and its steps, branch steps included, in the order written. */
export interface IParsedDefinition {
  parameters: IDefinitionParameter[];
  steps: { step: IDefinitionStep; parent: string | null; branch: Branch }[];
}

/** Which branch of its condition a step is on; null at the top. */
export type Branch = 'IfSteps' | 'ElseSteps' | null;

/** A step's status in the graph: a StepStatus, or not started yet. */
export type NodeStatus = StepStatus | 'NotStarted';

/** One node: a step, its place in the definition and its state in the execution. */
export interface IStepNode {
  name: string;
  type: string;
  step: IDefinitionStep;
  /** The condition step whose branch holds it, and which branch. */
  parent: string | null;
  branch: Branch;
  status: NodeStatus;
  /** The execution's record of the step, once it started. */
  record: IPipelineExecutionStep | null;
  /** The execution it took its result from, when the step was a cache hit. */
  cachedFrom: string | null;
  failureReason: string | null;
  /** A condition's outcome (true: its IfSteps run), once evaluated. */
  outcome: boolean | null;
  /** Whether it will not run: it is on the branch its condition did not take. */
  skipped: boolean;
}

/** Why one step follows another. */
export type EdgeKind = 'depends' | 'data' | 'true' | 'false';

export interface IStepEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  /** For a condition's edges: whether the branch was taken (null: not decided yet). */
  taken: boolean | null;
}

export interface IPipelineGraph {
  nodes: IStepNode[];
  edges: IStepEdge[];
  /**
   * Steps the execution ran that the definition does not have (it changed since the
   * execution started); they are not drawn.
   */
  missing: string[];
}

/** A node's place on the canvas: its top-left corner. */
export interface IPosition {
  x: number;
  y: number;
}

/** The size every node is drawn at. */
export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 76;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parse a definition's JSON text.
 *
 * @param text - the `PipelineDefinition` string.
 * @returns its parameters and steps (a condition's branch steps follow it).
 * @throws {Error} when the text is not a definition's JSON.
 */
export function parseDefinition(text: string): IParsedDefinition {
  const body: unknown = JSON.parse(text);
  if (!isObject(body)) {
    throw new Error('The pipeline definition is not a JSON object.');
  }
  const steps: IParsedDefinition['steps'] = [];
  const walk = (items: unknown, parent: string | null, branch: Branch) => {
    if (!Array.isArray(items)) {
      return;
    }
    for (const item of items) {
      if (!isObject(item) || typeof item.Name !== 'string') {
        continue;
      }
      const step = item as IDefinitionStep;
      steps.push({ step, parent, branch });
      if (step.Type === 'Condition' && isObject(step.Arguments)) {
        walk(step.Arguments.IfSteps, step.Name, 'IfSteps');
        walk(step.Arguments.ElseSteps, step.Name, 'ElseSteps');
      }
    }
  };
  walk(body.Steps, null, null);
  const parameters = Array.isArray(body.Parameters)
    ? (body.Parameters.filter(isObject) as unknown as IDefinitionParameter[])
    : [];
  return { parameters, steps };
}

/**
 * The steps a value refers to: `X` of every `{"Get": "Steps.X.…"}` in it (a
 * condition's branches are skipped: they are steps of their own).
 */
export function stepReferences(value: unknown, found = new Set<string>()) {
  if (Array.isArray(value)) {
    value.forEach(item => stepReferences(item, found));
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Get') {
      const match = /^Steps\.([A-Za-z0-9\-_]+)/.exec(String(value.Get));
      if (match) {
        found.add(match[1]);
      }
      return found;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key !== 'IfSteps' && key !== 'ElseSteps') {
        stepReferences(item, found);
      }
    }
  }
  return found;
}

const KIND_RANK: Record<EdgeKind, number> = {
  depends: 0,
  data: 1,
  true: 2,
  false: 2
};

/**
 * Build the graph of a definition, with each step's state in an execution.
 *
 * @param definition - the parsed definition.
 * @param records - the execution's steps (those not started are absent).
 * @returns the nodes in the order written and the edges, one per pair of steps (a
 *   condition's edge wins over a reference, a reference over a `DependsOn`).
 */
export function buildGraph(
  definition: IParsedDefinition,
  records: IPipelineExecutionStep[] = []
): IPipelineGraph {
  const byName = new Map(records.map(record => [record.StepName, record]));
  const names = new Set(definition.steps.map(({ step }) => step.Name));
  const nodes = definition.steps.map(({ step, parent, branch }) =>
    stepNode(step, parent, branch, byName.get(step.Name) ?? null)
  );
  const outcomes = new Map(nodes.map(node => [node.name, node.outcome]));
  for (const node of nodes) {
    const outcome = node.parent === null ? null : outcomes.get(node.parent);
    node.skipped =
      !node.record &&
      outcome !== null &&
      outcome !== undefined &&
      outcome !== (node.branch === 'IfSteps');
  }
  const edges = new Map<string, IStepEdge>();
  const add = (source: string, target: string, kind: EdgeKind) => {
    if (source === target || !names.has(source)) {
      return;
    }
    const id = `${source}->${target}`;
    const existing = edges.get(id);
    if (existing && KIND_RANK[existing.kind] >= KIND_RANK[kind]) {
      return;
    }
    let taken: boolean | null = null;
    if (kind === 'true' || kind === 'false') {
      const outcome = outcomes.get(source) ?? null;
      taken = outcome === null ? null : outcome === (kind === 'true');
    }
    edges.set(id, { id, source, target, kind, taken });
  };
  for (const { step, parent, branch } of definition.steps) {
    for (const name of step.DependsOn ?? []) {
      add(String(name), step.Name, 'depends');
    }
    const checked = { ...step, Name: undefined, DependsOn: undefined };
    for (const name of stepReferences(checked)) {
      add(name, step.Name, 'data');
    }
    if (parent !== null) {
      add(parent, step.Name, branch === 'IfSteps' ? 'true' : 'false');
    }
  }
  const missing = records
    .map(record => record.StepName)
    .filter(name => !names.has(name));
  return { nodes, edges: [...edges.values()], missing };
}

function stepNode(
  step: IDefinitionStep,
  parent: string | null,
  branch: Branch,
  record: IPipelineExecutionStep | null
): IStepNode {
  const metadata = (record?.Metadata ?? {}) as Record<string, unknown>;
  const condition = metadata.Condition as { Outcome?: unknown } | undefined;
  const outcome =
    condition?.Outcome === undefined
      ? null
      : String(condition.Outcome).toLowerCase() === 'true';
  const cacheHit = (record?.CacheHitResult ?? metadata.CacheHit) as
    Record<string, unknown> | null | undefined;
  return {
    name: step.Name,
    type: String(step.Type),
    step,
    parent,
    branch,
    status: record ? (record.StepStatus as StepStatus) : 'NotStarted',
    record,
    cachedFrom: cacheHit
      ? String(cacheHit.SourcePipelineExecutionArn ?? '') || null
      : null,
    failureReason: record?.FailureReason ?? null,
    outcome,
    skipped: false
  };
}

/** A step's job, as its Metadata names it (SageMaker's ARN: `…:training-job/<name>`). */
export interface IStepJob {
  kind: 'TrainingJob' | 'ProcessingJob' | 'TransformJob' | 'TuningJob';
  name: string;
}

const JOB_KINDS: IStepJob['kind'][] = [
  'TrainingJob',
  'ProcessingJob',
  'TransformJob',
  'TuningJob'
];

const arnOf = (metadata: Record<string, unknown>, key: string) => {
  const entry = metadata[key] as { Arn?: unknown } | undefined;
  return typeof entry?.Arn === 'string' ? entry.Arn : null;
};

/** The job a step ran (or took from the cache), when it is a job step that started one. */
export function stepJob(node: IStepNode): IStepJob | null {
  const metadata = (node.record?.Metadata ?? {}) as Record<string, unknown>;
  for (const kind of JOB_KINDS) {
    const arn = arnOf(metadata, kind);
    if (arn) {
      return { kind, name: arn.slice(arn.lastIndexOf('/') + 1) };
    }
  }
  return null;
}

/**
 * The model package a RegisterModel step registered: its group and version, from its
 * ARN (`…:model-package/<group>/<version>`).
 */
export function registeredModel(
  node: IStepNode
): { group: string; version: string; arn: string } | null {
  const metadata = (node.record?.Metadata ?? {}) as Record<string, unknown>;
  const arn = arnOf(metadata, 'RegisterModel');
  if (!arn) {
    return null;
  }
  const [group, version] = arn.split(':model-package/')[1]?.split('/') ?? [];
  return group ? { group, version: version ?? '', arn } : null;
}

/** The model a Model step created, from its ARN (`…:model/<name>`). */
export function createdModel(node: IStepNode): string | null {
  const metadata = (node.record?.Metadata ?? {}) as Record<string, unknown>;
  const arn = arnOf(metadata, 'Model');
  return arn ? arn.slice(arn.lastIndexOf('/') + 1) : null;
}

/**
 * Lay the graph out top to bottom (dagre): a pipeline is mostly a chain, and a tall
 * graph leaves the width to the side panel.
 *
 * @returns each node's top-left corner, by step name.
 */
export function layoutGraph(graph: IPipelineGraph): Map<string, IPosition> {
  const g = new Graph();
  g.setGraph({
    rankdir: 'TB',
    nodesep: 40,
    ranksep: 56,
    marginx: 16,
    marginy: 16
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    g.setNode(node.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) {
    g.setEdge(edge.source, edge.target);
  }
  layout(g);
  const positions = new Map<string, IPosition>();
  for (const node of graph.nodes) {
    const { x, y } = g.node(node.name);
    positions.set(node.name, {
      x: x - NODE_WIDTH / 2,
      y: y - NODE_HEIGHT / 2
    });
  }
  return positions;
}

/** Whether an execution in this status still changes (its view then polls). */
export function isLiveExecution(status: string | undefined): boolean {
  return status === 'Executing' || status === 'Stopping';
}

/** The step statuses in the order the legend lists them. */
export const NODE_STATUSES: NodeStatus[] = [
  'NotStarted',
  'Starting',
  'Executing',
  'Succeeded',
  'Failed',
  'Stopping',
  'Stopped'
];
