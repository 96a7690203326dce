import "@xyflow/react/dist/style.css";

import {
  Background,
  Controls,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type FitViewOptions,
  type NodeMouseHandler,
} from "@xyflow/react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from "react";

import {
  edgesBetween,
  flowEdges,
  flowNodes,
  markNodes,
  type LayoutDirection,
  type StepFlowNode,
} from "./graph-layout";
import type { StepGraph } from "./graph-model";
import { StepNode } from "./StepNode";
import { useGraphLayout } from "./use-graph-layout";

const NODE_TYPES = { step: StepNode };

/** Up to this many steps, the whole graph fits the view; past it, the view opens on the start. */
const FIT_ALL_STEPS = 40;

interface RunGraphProps {
  graph: StepGraph;
  direction: LayoutDirection;
  /** Show the steps up to this sequence only (a replay's position); null for all of them. */
  upToSequence: number | null;
  selectedSequence: number | null;
  /** The step a replay has just reached. */
  currentSequence: number | null;
  onSelect: (sequence: number) => void;
}

/**
 * The run's steps as a graph laid out by dagre. Only the nodes and edges in view are
 * rendered, and a node re-renders only when its own step or marks change, so that runs of
 * thousands of steps stay responsive.
 */
export function RunGraph(props: RunGraphProps) {
  return (
    <ReactFlowProvider>
      <StepFlow {...props} />
    </ReactFlowProvider>
  );
}

function StepFlow({
  graph,
  direction,
  upToSequence,
  selectedSequence,
  currentSequence,
  onSelect,
}: RunGraphProps) {
  const { positions, arranging } = useGraphLayout(graph, direction);
  const allNodes = useMemo(
    () => flowNodes(graph.steps, positions, direction),
    [graph.steps, positions, direction],
  );
  const allEdges = useMemo(() => flowEdges(graph), [graph]);
  const nodes = useMemo(
    () => markNodes(allNodes, { upToSequence, selectedSequence, currentSequence }),
    [allNodes, upToSequence, selectedSequence, currentSequence],
  );
  const edges = useMemo(() => edgesBetween(allEdges, nodes), [allEdges, nodes]);
  const select = useStableCallback(onSelect);
  const onNodeClick = useCallback<NodeMouseHandler<StepFlowNode>>(
    (_event, node) => {
      select(node.data.step.sequence);
    },
    [select],
  );
  const fitViewOptions = useMemo<FitViewOptions>(
    () => ({
      padding: 0.15,
      maxZoom: 1,
      nodes: allNodes.slice(0, FIT_ALL_STEPS).map((node) => ({ id: node.id })),
    }),
    [allNodes],
  );
  useFitView({ count: allNodes.length, direction, arranging, options: fitViewOptions });

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={NODE_TYPES}
      onNodeClick={onNodeClick}
      onlyRenderVisibleElements
      nodesDraggable={false}
      nodesConnectable={false}
      nodesFocusable={false}
      edgesFocusable={false}
      elementsSelectable={false}
      fitView
      fitViewOptions={fitViewOptions}
      minZoom={0.05}
      maxZoom={2}
      colorMode="dark"
      aria-label="Steps of the run"
    >
      <Background gap={20} size={1} />
      <Controls showInteractive={false} position="bottom-right" />
      {arranging && (
        <Panel position="top-left">
          <p
            role="status"
            className="rounded-md bg-night-raised/90 px-2 py-1 text-xs text-slate-300"
          >
            Arranging {graph.steps.length} steps…
          </p>
        </Panel>
      )}
    </ReactFlow>
  );
}

interface FitViewTriggers {
  count: number;
  direction: LayoutDirection;
  arranging: boolean;
  options: FitViewOptions;
}

/**
 * Fits the view again as steps arrive or the direction changes while the graph is small,
 * and once a large graph's layout (or its layout in a new direction) is ready; a large
 * graph that grows later keeps the view its reader chose.
 */
function useFitView({ count, direction, arranging, options }: FitViewTriggers) {
  const { fitView } = useReactFlow();
  const fittedLayout = useRef<LayoutDirection | null>(null);
  useEffect(() => {
    const firstLayout = !arranging && fittedLayout.current !== direction;
    if (!arranging) {
      fittedLayout.current = direction;
    }
    if ((count > 0 && count <= FIT_ALL_STEPS) || firstLayout) {
      void fitView({ ...options, duration: 150 });
    }
  }, [count, direction, arranging, fitView, options]);
}

/** A callback whose identity never changes but which always calls the latest `callback`. */
function useStableCallback<Args extends unknown[]>(callback: (...args: Args) => void) {
  const latest = useRef(callback);
  useLayoutEffect(() => {
    latest.current = callback;
  });
  return useCallback((...args: Args) => {
    latest.current(...args);
  }, []);
}
