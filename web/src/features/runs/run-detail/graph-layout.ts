/**
 * Where each step of the graph goes: dagre ranks the steps along their causal edges, left to
 * right or top down, and the positions become React Flow nodes and edges.
 */
import dagre from "@dagrejs/dagre";
import { MarkerType, Position, type Edge, type Node } from "@xyflow/react";

import type { Step, StepGraph } from "./graph-model";

export type LayoutDirection = "LR" | "TB";

/** Every node has the same size, so that the layout needs no measuring. */
export const NODE_WIDTH = 232;
export const NODE_HEIGHT = 112;

export interface StepNodeData extends Record<string, unknown> {
  step: Step;
  /** The step a replay has just reached. */
  current: boolean;
}

export type StepFlowNode = Node<StepNodeData, "step">;

export interface Point {
  x: number;
  y: number;
}

/** What a layout needs of a graph: its steps' ids and its edges. */
export interface LayoutInput {
  steps: readonly { id: string }[];
  edges: readonly { source: string; target: string }[];
}

/** Past this many steps, dagre spends less effort on uncrossing edges. */
const QUICK_ORDER_STEPS = 400;

/** The top-left corner of each step's node, by step id. */
export function layoutGraph(graph: LayoutInput, direction: LayoutDirection): Map<string, Point> {
  const layout = new dagre.graphlib.Graph<object, { width: number; height: number }, object>();
  layout.setGraph({ rankdir: direction, nodesep: 28, ranksep: 72, marginx: 24, marginy: 24 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const step of graph.steps) {
    layout.setNode(step.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) {
    if (layout.hasNode(edge.source) && layout.hasNode(edge.target)) {
      layout.setEdge(edge.source, edge.target);
    }
  }
  dagre.layout(layout, {
    disableOptimalOrderHeuristic: graph.steps.length > QUICK_ORDER_STEPS,
  });
  const positions = new Map<string, Point>();
  for (const step of graph.steps) {
    const { x = 0, y = 0 } = layout.node(step.id) as { x?: number; y?: number };
    positions.set(step.id, { x: x - NODE_WIDTH / 2, y: y - NODE_HEIGHT / 2 });
  }
  return positions;
}

/** A layout job for the background worker: ids and edges only, cheap to copy. */
export interface LayoutRequest {
  job: number;
  stepIds: string[];
  edges: [string, string][];
  direction: LayoutDirection;
}

export interface LayoutResponse {
  job: number;
  positions: [string, number, number][];
}

export function layoutRequest(
  job: number,
  graph: StepGraph,
  direction: LayoutDirection,
): LayoutRequest {
  return {
    job,
    stepIds: graph.steps.map((step) => step.id),
    edges: graph.edges.map((link) => [link.source, link.target]),
    direction,
  };
}

/** How far apart two ranks are, and two neighbours in a rank. */
const RANK_STEP = { LR: NODE_WIDTH + 72, TB: NODE_HEIGHT + 72 } as const;
const SIBLING_STEP = { LR: NODE_HEIGHT + 28, TB: NODE_WIDTH + 28 } as const;

/**
 * Positions for the steps a layout has not placed yet (steps that streamed in while it
 * ran): one rank past their parent, after its other children; a step without a placed
 * parent goes past everything. Cheap, so that new steps show at once.
 */
export function withProvisionalPositions(
  steps: readonly Step[],
  known: ReadonlyMap<string, Point>,
  direction: LayoutDirection,
): Map<string, Point> {
  const horizontal = direction === "LR";
  const alongOf = (point: Point) => (horizontal ? point.x : point.y);
  const acrossOf = (point: Point) => (horizontal ? point.y : point.x);
  const at = (along: number, across: number): Point =>
    horizontal ? { x: along, y: across } : { x: across, y: along };
  const positions = new Map(known);
  let furthest = Math.max(0, ...[...known.values()].map(alongOf));
  // New children go after the children the layout placed already.
  const childrenPlaced = new Map<string, number>();
  for (const step of steps) {
    if (step.parent_step_id && known.has(step.id)) {
      childrenPlaced.set(step.parent_step_id, (childrenPlaced.get(step.parent_step_id) ?? 0) + 1);
    }
  }
  for (const step of steps) {
    if (positions.has(step.id)) {
      continue;
    }
    const parentId = step.parent_step_id ?? "";
    const parent = positions.get(parentId);
    let point: Point;
    if (parent) {
      const index = childrenPlaced.get(parentId) ?? 0;
      childrenPlaced.set(parentId, index + 1);
      point = at(
        alongOf(parent) + RANK_STEP[direction],
        acrossOf(parent) + index * SIBLING_STEP[direction],
      );
    } else {
      point = at(positions.size === 0 ? 0 : furthest + RANK_STEP[direction], 0);
    }
    furthest = Math.max(furthest, alongOf(point));
    positions.set(step.id, point);
  }
  return positions;
}

/** A React Flow node per step, at its laid-out position. */
export function flowNodes(
  steps: readonly Step[],
  positions: ReadonlyMap<string, Point>,
  direction: LayoutDirection,
): StepFlowNode[] {
  const horizontal = direction === "LR";
  return steps.map((step) => ({
    id: step.id,
    type: "step",
    position: positions.get(step.id) ?? { x: 0, y: 0 },
    data: { step, current: false },
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    sourcePosition: horizontal ? Position.Right : Position.Bottom,
    targetPosition: horizontal ? Position.Left : Position.Top,
    draggable: false,
    connectable: false,
  }));
}

const EDGE_COLOURS = { parent: "rgb(167 139 250 / 0.6)", next: "rgb(34 211 238 / 0.6)" } as const;

/** A React Flow edge per causal link; "next" links (what a request answered) are dashed. */
export function flowEdges(graph: StepGraph): Edge[] {
  return graph.edges.map((link) => ({
    id: link.id,
    source: link.source,
    target: link.target,
    type: "smoothstep",
    style: {
      stroke: EDGE_COLOURS[link.kind],
      strokeWidth: 1.5,
      ...(link.kind === "next" ? { strokeDasharray: "6 4" } : {}),
    },
    markerEnd: {
      type: MarkerType.ArrowClosed,
      width: 16,
      height: 16,
      color: EDGE_COLOURS[link.kind],
    },
    focusable: false,
    selectable: false,
    data: { kind: link.kind },
  }));
}

interface GraphMarks {
  /** Only the steps up to this sequence are shown (a replay's position); null for all. */
  upToSequence: number | null;
  selectedSequence: number | null;
  currentSequence: number | null;
}

/**
 * The nodes to show, marked selected or current. Unchanged nodes keep their identity, so
 * that React Flow re-renders only the ones whose marks changed.
 */
export function markNodes(nodes: readonly StepFlowNode[], marks: GraphMarks): StepFlowNode[] {
  const shown =
    marks.upToSequence === null
      ? nodes
      : nodes.filter((node) => node.data.step.sequence <= (marks.upToSequence ?? 0));
  return shown.map((node) => {
    const { sequence } = node.data.step;
    const selected = sequence === marks.selectedSequence;
    const current = sequence === marks.currentSequence;
    if (!selected && !current) {
      return node;
    }
    return { ...node, selected, data: { ...node.data, current } };
  });
}

/** The edges whose two ends are both shown. */
export function edgesBetween(edges: readonly Edge[], nodes: readonly StepFlowNode[]): Edge[] {
  const shown = new Set(nodes.map((node) => node.id));
  return edges.filter((link) => shown.has(link.source) && shown.has(link.target));
}
