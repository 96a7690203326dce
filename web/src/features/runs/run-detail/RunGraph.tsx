import "@xyflow/react/dist/style.css";

import {
  Background,
  Controls,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  type FitViewOptions,
  type NodeMouseHandler,
} from "@xyflow/react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type RefObject } from "react";

import { Button } from "../../../components/ui/Button";
import { formatCount } from "../run-format";
import type { RepeatedCalls } from "./graph-groups";
import {
  edgesBetween,
  flowEdges,
  flowNodes,
  markNodes,
  type LayoutDirection,
  type RunFlowNode,
} from "./graph-layout";
import type { StepGraph } from "./graph-model";
import { GroupNode } from "./GroupNode";
import { StepNode } from "./StepNode";
import { useDrawnGraph } from "./use-drawn-graph";
import { useGraphLayout } from "./use-graph-layout";

const NODE_TYPES = { step: StepNode, stepGroup: GroupNode };

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
 * The run's steps as a graph laid out by dagre. Many calls of one tool by one model
 * request are drawn as one group until expanded; only the nodes and edges in view are
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
  const { drawn, groups, expanded, toggle } = useDrawnGraph(graph, [
    selectedSequence,
    currentSequence,
  ]);
  const { positions, arranging } = useGraphLayout(drawn, direction);
  const allNodes = useMemo(
    () => flowNodes(drawn.nodes, positions, direction),
    [drawn.nodes, positions, direction],
  );
  const allEdges = useMemo(() => flowEdges(drawn), [drawn]);
  const nodes = useMemo(
    () => markNodes(allNodes, { upToSequence, selectedSequence, currentSequence }),
    [allNodes, upToSequence, selectedSequence, currentSequence],
  );
  const edges = useMemo(() => edgesBetween(allEdges, nodes), [allEdges, nodes]);
  const select = useStableCallback(onSelect);
  const toggles = useRef<HTMLDivElement>(null);
  const onNodeClick = useCallback<NodeMouseHandler<RunFlowNode>>(
    (_event, node) => {
      if (node.type === "step") {
        select(node.data.step.sequence);
      } else {
        toggle(node.id);
        focusToggle(toggles.current, node.id);
      }
    },
    [select, toggle],
  );
  const fitViewOptions = useMemo<FitViewOptions>(
    () => ({
      padding: 0.15,
      maxZoom: 1,
      nodes: allNodes.slice(0, FIT_ALL_STEPS).map((node) => ({ id: node.id })),
    }),
    [allNodes],
  );
  useFitView({
    count: allNodes.length,
    shape: `${direction} ${[...expanded].sort().join(" ")}`,
    arranging,
    options: fitViewOptions,
  });

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
      <GroupToggles groups={groups} expanded={expanded} onToggle={toggle} ref={toggles} />
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

interface GroupTogglesProps {
  groups: readonly RepeatedCalls[];
  expanded: ReadonlySet<string>;
  onToggle: (groupId: string) => void;
  ref: RefObject<HTMLDivElement | null>;
}

/**
 * A button per group of repeated calls, to expand it or draw it as one node again. It
 * stays where it is either way, so that the keyboard's focus does too.
 */
function GroupToggles({ groups, expanded, onToggle, ref }: GroupTogglesProps) {
  if (groups.length === 0) {
    return null;
  }
  return (
    <Panel position="top-right">
      <div
        ref={ref}
        role="group"
        aria-label="Repeated tool calls"
        className="flex max-h-40 max-w-xs flex-col items-end gap-1 overflow-y-auto"
      >
        {groups.map((group) => {
          const open = expanded.has(group.id);
          return (
            <Button
              key={group.id}
              variant="secondary"
              size="sm"
              data-testid="group-toggle"
              data-group-id={group.id}
              aria-expanded={open}
              onClick={() => {
                onToggle(group.id);
              }}
            >
              {open ? "Collapse" : "Expand"} {group.toolName} ×{formatCount(callCount(group))}
            </Button>
          );
        })}
      </div>
    </Panel>
  );
}

function callCount(group: RepeatedCalls): number {
  return group.steps.filter((step) => step.kind === "tool_call").length;
}

/** Moves the focus to the toggle of a group, which stays put as its node comes and goes. */
function focusToggle(panel: HTMLElement | null, groupId: string) {
  const toggles = panel?.querySelectorAll<HTMLButtonElement>('[data-testid="group-toggle"]') ?? [];
  [...toggles].find((toggle) => toggle.dataset.groupId === groupId)?.focus();
}

interface FitViewTriggers {
  count: number;
  /** What the layout depends on besides the steps: the direction, the groups expanded. */
  shape: string;
  arranging: boolean;
  options: FitViewOptions;
}

/**
 * Fits the view again as steps arrive or the shape changes while the graph is small, and
 * once a large graph's layout (or its layout in a new direction, or with other groups
 * expanded) is ready, and whenever the canvas changes size (the step panel opens or
 * closes, the window turns); a large graph that grows later keeps the view its reader chose.
 */
function useFitView({ count, shape, arranging, options }: FitViewTriggers) {
  const { fitView } = useReactFlow();
  const fittedShape = useRef<string | null>(null);
  const size = useStore((store) => `${String(store.width)}x${String(store.height)}`);
  const fittedSize = useRef(size);
  useEffect(() => {
    const firstLayout = !arranging && fittedShape.current !== shape;
    const resized = fittedSize.current !== size;
    if (!arranging) {
      fittedShape.current = shape;
    }
    fittedSize.current = size;
    if ((count > 0 && count <= FIT_ALL_STEPS) || firstLayout || (resized && count > 0)) {
      void fitView({ ...options, duration: 150 });
    }
  }, [count, shape, arranging, fitView, options, size]);
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
