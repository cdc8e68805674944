/**
 * The graph of a pipeline execution, drawn with React Flow: a node per step coloured by
 * its status (cached steps marked, a failure's reason on the node), edges from what a
 * step waits for, a condition's edges labelled true / false. Each node is a button:
 * Tab reaches it, Enter or a click opens it (`onOpen`).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import {
  Background,
  Controls,
  Edge,
  Handle,
  MarkerType,
  Node,
  NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import React from 'react';

import {
  IPipelineGraph,
  IStepEdge,
  IStepNode,
  layoutGraph,
  NODE_HEIGHT,
  NODE_WIDTH
} from '../models/pipelineGraph';
import { pipelineStatusLabel } from './pipelines';

/** What a step node shows and does. */
type StepNodeData = {
  step: IStepNode;
  selected: boolean;
  trans: TranslationBundle;
  onOpen: (name: string) => void;
  /** What opening the step does, for its accessible label. */
  action: string;
};

type StepFlowNode = Node<StepNodeData, 'step'>;

/** The readable name of a step type. */
export function stepTypeLabel(type: string, trans: TranslationBundle): string {
  switch (type) {
    case 'Processing':
      return trans.__('Processing');
    case 'Training':
      return trans.__('Training');
    case 'Transform':
      return trans.__('Transform');
    case 'Tuning':
      return trans.__('Tuning');
    case 'Model':
      return trans.__('Model');
    case 'RegisterModel':
      return trans.__('Register model');
    case 'Condition':
      return trans.__('Condition');
    case 'Fail':
      return trans.__('Fail');
    default:
      return type;
  }
}

/** A step's status in words, "Not run" for a branch its condition did not take. */
export function nodeStatusLabel(
  step: IStepNode,
  trans: TranslationBundle
): string {
  return step.skipped
    ? trans.__('Not run')
    : pipelineStatusLabel(step.status, trans);
}

function StepNodeView(props: NodeProps<StepFlowNode>): JSX.Element {
  const { step, selected, trans, onOpen, action } = props.data;
  const status = nodeStatusLabel(step, trans);
  const attempt = step.record?.AttemptCount ?? 1;
  const detail =
    step.failureReason ??
    (step.outcome !== null
      ? step.outcome
        ? trans.__('Outcome: true')
        : trans.__('Outcome: false')
      : null);
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <button
        type="button"
        className={`jp-mlstudio-PipelineNode${selected ? ' jp-mod-selected' : ''}`}
        data-step={step.name}
        data-status={step.skipped ? 'Skipped' : step.status}
        data-cached={step.cachedFrom ? 'true' : undefined}
        aria-pressed={selected}
        aria-label={trans.__(
          '%1, %2 step, %3%4. %5',
          step.name,
          stepTypeLabel(step.type, trans),
          status,
          step.cachedFrom ? trans.__(', from the cache') : '',
          action
        )}
        title={step.failureReason ?? step.name}
        style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
        onClick={() => onOpen(step.name)}
      >
        <span className="jp-mlstudio-PipelineNode-head">
          <span className="jp-mlstudio-PipelineNode-dot" aria-hidden="true" />
          <span className="jp-mlstudio-PipelineNode-name">{step.name}</span>
          {step.cachedFrom ? (
            <span
              className="jp-mlstudio-PipelineNode-cached"
              title={trans.__('Taken from execution %1', step.cachedFrom)}
            >
              {trans.__('cached')}
            </span>
          ) : null}
        </span>
        <span className="jp-mlstudio-PipelineNode-meta">
          {stepTypeLabel(step.type, trans)} · {status}
          {attempt > 1 ? ` · ${trans.__('attempt %1', attempt)}` : ''}
        </span>
        {detail ? (
          <span
            className={`jp-mlstudio-PipelineNode-detail${step.failureReason ? ' jp-mod-error' : ''}`}
          >
            {detail}
          </span>
        ) : null}
      </button>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </>
  );
}

const NODE_TYPES = { step: StepNodeView };

const FIT_OPTIONS = { padding: 0.15, maxZoom: 1 };

/** Fit the graph in again whenever the canvas changes size (e.g. the side panel opens). */
function FitOnResize(): null {
  const width = useStore(state => state.width);
  const height = useStore(state => state.height);
  const { fitView } = useReactFlow();
  React.useEffect(() => {
    if (width && height) {
      void fitView(FIT_OPTIONS);
    }
  }, [width, height]);
  return null;
}

/** The arrowheads' colours, those of their edges (see style/pipelines.css). */
const MARKER_COLORS: Record<IStepEdge['kind'], string> = {
  depends: 'var(--jp-ui-font-color3)',
  data: 'var(--jp-ui-font-color3)',
  true: 'var(--jp-success-color1)',
  false: 'var(--jp-error-color1)'
};

function flowEdge(edge: IStepEdge, trans: TranslationBundle): Edge {
  const condition = edge.kind === 'true' || edge.kind === 'false';
  const classes = [`jp-mlstudio-PipelineEdge jp-mod-${edge.kind}`];
  if (edge.taken === false) {
    classes.push('jp-mod-untaken');
  }
  return {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    className: classes.join(' '),
    label: condition
      ? edge.kind === 'true'
        ? trans.__('true')
        : trans.__('false')
      : undefined,
    labelBgPadding: [4, 2],
    markerEnd: {
      type: MarkerType.ArrowClosed,
      width: 16,
      height: 16,
      color: MARKER_COLORS[edge.kind]
    },
    focusable: false,
    selectable: false,
    animated: false
  };
}

export interface IPipelineGraphProps {
  graph: IPipelineGraph;
  selected: string | null;
  trans: TranslationBundle;
  /** Opens a step (its job view, or its details). */
  onOpen: (name: string) => void;
  /** What opening a step does, in words, for its accessible label. */
  actionOf: (step: IStepNode) => string;
}

/** The execution's graph; the canvas is as tall as the laid-out graph (within bounds). */
export function PipelineGraph(props: IPipelineGraphProps): JSX.Element {
  const { graph, selected, trans, onOpen, actionOf } = props;
  // The layout depends on the steps and edges only, not on their statuses.
  const shape = JSON.stringify([
    graph.nodes.map(node => node.name),
    graph.edges.map(edge => edge.id)
  ]);
  const positions = React.useMemo(() => layoutGraph(graph), [shape]);
  const nodes: StepFlowNode[] = graph.nodes.map(step => ({
    id: step.name,
    type: 'step',
    position: positions.get(step.name) ?? { x: 0, y: 0 },
    data: {
      step,
      selected: step.name === selected,
      trans,
      onOpen,
      action: actionOf(step)
    },
    // Not selectable nor draggable, React Flow lets the pane take the pointer; the
    // node's button takes it back.
    style: { pointerEvents: 'all' },
    // Every node has the same size. Controlled nodes keep React Flow's measures only
    // when given back: without them a node that re-renders is hidden until measured.
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    measured: { width: NODE_WIDTH, height: NODE_HEIGHT },
    draggable: false,
    connectable: false,
    selectable: false,
    focusable: false
  }));
  const edges = graph.edges.map(edge => flowEdge(edge, trans));
  let bottom = 0;
  positions.forEach(position => {
    bottom = Math.max(bottom, position.y + NODE_HEIGHT);
  });
  const height = Math.min(Math.max(bottom + 48, 240), 640);
  return (
    <div
      className="jp-mlstudio-PipelineGraph"
      style={{ height }}
      role="group"
      aria-label={trans.__('Pipeline steps')}
    >
      <ReactFlowProvider>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          fitView
          fitViewOptions={FIT_OPTIONS}
          minZoom={0.2}
          maxZoom={2}
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          zoomOnScroll={false}
          preventScrolling={false}
        >
          <Background gap={16} size={1} />
          <Controls showInteractive={false} />
          <FitOnResize />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
