import "@xyflow/react/dist/style.css";

import {
  Background,
  BackgroundVariant,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  type Edge,
  type FitViewOptions,
  type NodeMouseHandler,
} from "@xyflow/react";
import { Maximize2, ZoomIn, ZoomOut } from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type RefObject } from "react";

import { Button } from "../../../components/ui/Button";
import { formatCount } from "../run-format";
import type { RepeatedCalls } from "./graph-groups";
import {
  edgesBetween,
  flowEdges,
  flowNodes,
  markNodes,
  nodeFrame,
  NODE_HEIGHT,
  NODE_WIDTH,
  type LayoutDirection,
  type RunFlowNode,
} from "./graph-layout";
import type { StepGraph } from "./graph-model";
import { GroupNode } from "./GroupNode";
import { PendingNode, type PendingFlowNode } from "./PendingNode";
import type { PendingWork } from "./pending-work";
import { StepNode } from "./StepNode";
import { useDrawnGraph } from "./use-drawn-graph";
import { useGraphLayout } from "./use-graph-layout";

const NODE_TYPES = { step: StepNode, stepGroup: GroupNode, pending: PendingNode };

/** The canvas is the app's own: no library badge in its corner. */
const PRO_OPTIONS = { hideAttribution: true };

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
  /** What a running run is doing now, drawn after its last step. */
  pending?: PendingWork | null;
  /** What the model has streamed so far of the pending request. */
  streaming?: string | null;
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
  pending = null,
  streaming = null,
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
  const stepEdges = useMemo(() => edgesBetween(allEdges, nodes), [allEdges, nodes]);
  const { nodes: shownNodes, edges } = useMemo(
    () => withPendingNode(nodes, stepEdges, pending, streaming, direction),
    [nodes, stepEdges, pending, streaming, direction],
  );
  const select = useStableCallback(onSelect);
  const toggles = useRef<HTMLDivElement>(null);
  const onNodeClick = useCallback<NodeMouseHandler<RunFlowNode | PendingFlowNode>>(
    (_event, node) => {
      if (node.type === "step") {
        select(node.data.step.sequence);
      } else if (node.type === "stepGroup") {
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
      nodes={shownNodes}
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
      proOptions={PRO_OPTIONS}
      className="run-canvas"
      aria-label="Steps of the run"
    >
      <Background variant={BackgroundVariant.Dots} gap={22} size={1.2} color="#ffffff1f" />
      <CanvasControls options={fitViewOptions} />
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

/**
 * The nodes and edges with the pending work's node one rank after the node it hangs from
 * (the last one drawn before the run's first step), and an edge to it.
 */
function withPendingNode(
  nodes: RunFlowNode[],
  edges: Edge[],
  pending: PendingWork | null,
  streaming: string | null,
  direction: LayoutDirection,
): { nodes: (RunFlowNode | PendingFlowNode)[]; edges: Edge[] } {
  if (pending === null) {
    return { nodes, edges };
  }
  const anchor = nodes.find((node) => node.id === pending.afterStepId) ?? nodes.at(-1);
  const horizontal = direction === "LR";
  const origin = anchor?.position ?? { x: 0, y: 0 };
  const position = !anchor
    ? origin
    : horizontal
      ? { x: origin.x + NODE_WIDTH + 72, y: origin.y }
      : { x: origin.x, y: origin.y + NODE_HEIGHT + 72 };
  const node: PendingFlowNode = {
    id: PENDING_ID,
    type: "pending",
    position,
    data: { work: pending, streaming },
    ...nodeFrame(direction),
    selectable: false,
  };
  const link: Edge[] = anchor
    ? [
        {
          id: `${anchor.id}-${PENDING_ID}`,
          source: anchor.id,
          target: PENDING_ID,
          type: "smoothstep",
          animated: true,
          focusable: false,
          selectable: false,
          style: { stroke: "rgb(34 211 238 / 0.6)", strokeWidth: 1.5 },
        },
      ]
    : [];
  return { nodes: [...nodes, node], edges: [...edges, ...link] };
}

const PENDING_ID = "pending";

/** Zoom in, zoom out and fit the whole graph, drawn like the app's other icon buttons. */
function CanvasControls({ options }: { options: FitViewOptions }) {
  const { zoomIn, zoomOut, fitView } = useReactFlow();
  const controls = [
    { label: "Zoom in", icon: ZoomIn, act: () => zoomIn({ duration: 150 }) },
    { label: "Zoom out", icon: ZoomOut, act: () => zoomOut({ duration: 150 }) },
    { label: "Fit the graph", icon: Maximize2, act: () => fitView({ ...options, duration: 150 }) },
  ];
  return (
    <Panel position="bottom-right">
      <div
        role="group"
        aria-label="View"
        className="flex overflow-hidden rounded-lg border border-white/12 bg-night-raised/90 shadow-lg shadow-black/40 backdrop-blur"
      >
        {controls.map(({ label, icon: Icon, act }) => (
          <button
            key={label}
            type="button"
            aria-label={label}
            title={label}
            onClick={() => void act()}
            className="grid size-8 place-items-center text-slate-300 transition-colors hover:bg-white/8 hover:text-white focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-halo"
          >
            <Icon aria-hidden="true" className="size-4" />
          </button>
        ))}
      </div>
    </Panel>
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
