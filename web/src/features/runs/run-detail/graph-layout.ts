/**
 * Where each step of the graph goes: dagre ranks the steps along their causal edges, left to
 * right or top down, and the positions become React Flow nodes and edges.
 */
import dagre from "@dagrejs/dagre";
import { MarkerType, Position, type Edge, type Node } from "@xyflow/react";

import type { DrawnNode, RepeatedCalls } from "./graph-groups";
import type { Step, StepEdge } from "./graph-model";

export type LayoutDirection = "LR" | "TB";

/** Every node has the same size, so that the layout needs no measuring. */
export const NODE_WIDTH = 232;
export const NODE_HEIGHT = 128;

export interface StepNodeData extends Record<string, unknown> {
  step: Step;
  /** The step a replay has just reached. */
  current: boolean;
}

export type StepFlowNode = Node<StepNodeData, "step">;

export interface GroupNodeData extends Record<string, unknown> {
  group: RepeatedCalls;
  /** The group holds the step a replay has just reached. */
  current: boolean;
  /** A replay shows the group's steps up to this sequence only; null for all of them. */
  upToSequence: number | null;
}

export type GroupFlowNode = Node<GroupNodeData, "stepGroup">;

/** A node of the graph: a step, or a group of repeated calls. */
export type RunFlowNode = StepFlowNode | GroupFlowNode;

export interface Point {
  x: number;
  y: number;
}

/** What a layout needs of a graph: its nodes' ids and its edges. */
export interface LayoutInput {
  nodes: readonly { id: string }[];
  edges: readonly { source: string; target: string }[];
}

/** A node to place before the layout has: where its parent is says where it goes. */
export interface ProvisionalNode {
  id: string;
  parentId: string | null;
}

/** Past this many nodes, dagre spends less effort on uncrossing edges. */
const QUICK_ORDER_NODES = 400;

/** The top-left corner of each node, by node id. */
export function layoutGraph(graph: LayoutInput, direction: LayoutDirection): Map<string, Point> {
  const layout = new dagre.graphlib.Graph<object, { width: number; height: number }, object>();
  layout.setGraph({ rankdir: direction, nodesep: 28, ranksep: 72, marginx: 24, marginy: 24 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    layout.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) {
    if (layout.hasNode(edge.source) && layout.hasNode(edge.target)) {
      layout.setEdge(edge.source, edge.target);
    }
  }
  dagre.layout(layout, {
    disableOptimalOrderHeuristic: graph.nodes.length > QUICK_ORDER_NODES,
  });
  const positions = new Map<string, Point>();
  for (const node of graph.nodes) {
    const { x = 0, y = 0 } = layout.node(node.id) as { x?: number; y?: number };
    positions.set(node.id, { x: x - NODE_WIDTH / 2, y: y - NODE_HEIGHT / 2 });
  }
  return positions;
}

/** A layout job for the background worker: ids and edges only, cheap to copy. */
export interface LayoutRequest {
  job: number;
  nodeIds: string[];
  edges: [string, string][];
  direction: LayoutDirection;
}

export interface LayoutResponse {
  job: number;
  positions: [string, number, number][];
}

export function layoutRequest(
  job: number,
  graph: LayoutInput,
  direction: LayoutDirection,
): LayoutRequest {
  return {
    job,
    nodeIds: graph.nodes.map((node) => node.id),
    edges: graph.edges.map((link) => [link.source, link.target]),
    direction,
  };
}

/** How far apart two ranks are, and two neighbours in a rank. */
const RANK_STEP = { LR: NODE_WIDTH + 72, TB: NODE_HEIGHT + 72 } as const;
const SIBLING_STEP = { LR: NODE_HEIGHT + 28, TB: NODE_WIDTH + 28 } as const;

/**
 * Positions for the nodes a layout has not placed yet (steps that streamed in while it
 * ran): one rank past their parent, after its other children; a node without a placed
 * parent goes past everything. Cheap, so that new steps show at once.
 */
export function withProvisionalPositions(
  nodes: readonly ProvisionalNode[],
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
  for (const node of nodes) {
    if (node.parentId && known.has(node.id)) {
      childrenPlaced.set(node.parentId, (childrenPlaced.get(node.parentId) ?? 0) + 1);
    }
  }
  for (const node of nodes) {
    if (positions.has(node.id)) {
      continue;
    }
    const parentId = node.parentId ?? "";
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
    positions.set(node.id, point);
  }
  return positions;
}

/** A React Flow node per drawn step or group, at its laid-out position. */
export function flowNodes(
  nodes: readonly DrawnNode[],
  positions: ReadonlyMap<string, Point>,
  direction: LayoutDirection,
): RunFlowNode[] {
  return nodes.map((node) => ({
    id: node.id,
    position: positions.get(node.id) ?? { x: 0, y: 0 },
    ...(node.type === "step"
      ? { type: "step" as const, data: { step: node.step, current: false } }
      : {
          type: "stepGroup" as const,
          data: { group: node.group, current: false, upToSequence: null },
        }),
    ...nodeFrame(direction),
  }));
}

/** The size, handle sides and fixed place every node of the graph has. */
export function nodeFrame(direction: LayoutDirection) {
  const horizontal = direction === "LR";
  return {
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    sourcePosition: horizontal ? Position.Right : Position.Bottom,
    targetPosition: horizontal ? Position.Left : Position.Top,
    draggable: false,
    connectable: false,
  };
}

const EDGE_COLOURS = { parent: "rgb(167 139 250 / 0.6)", next: "rgb(34 211 238 / 0.6)" } as const;

/** A React Flow edge per causal link; "next" links (what a request answered) are dashed. */
export function flowEdges(graph: { edges: readonly StepEdge[] }): Edge[] {
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
 * The nodes to show, marked selected or current; a group is marked when it holds the step.
 * Unchanged nodes keep their identity, so that React Flow re-renders only the ones whose
 * marks changed.
 */
export function markNodes(nodes: readonly RunFlowNode[], marks: GraphMarks): RunFlowNode[] {
  const marked: RunFlowNode[] = [];
  for (const node of nodes) {
    const shown = node.type === "step" ? markStep(node, marks) : markGroup(node, marks);
    if (shown) {
      marked.push(shown);
    }
  }
  return marked;
}

function markStep(node: StepFlowNode, marks: GraphMarks): StepFlowNode | null {
  const { sequence } = node.data.step;
  if (marks.upToSequence !== null && sequence > marks.upToSequence) {
    return null;
  }
  const selected = sequence === marks.selectedSequence;
  const current = sequence === marks.currentSequence;
  if (!selected && !current) {
    return node;
  }
  return { ...node, selected, data: { ...node.data, current } };
}

function markGroup(node: GroupFlowNode, marks: GraphMarks): GroupFlowNode | null {
  const { steps } = node.data.group;
  const first = steps[0]?.sequence ?? 0;
  const last = steps.at(-1)?.sequence ?? 0;
  const { upToSequence } = marks;
  if (upToSequence !== null && first > upToSequence) {
    return null;
  }
  const holds = (sequence: number | null) =>
    sequence !== null && steps.some((step) => step.sequence === sequence);
  const selected = holds(marks.selectedSequence);
  const current = holds(marks.currentSequence);
  const partly = upToSequence !== null && last > upToSequence;
  if (!selected && !current && !partly) {
    return node;
  }
  return {
    ...node,
    selected,
    data: { ...node.data, current, upToSequence: partly ? upToSequence : null },
  };
}

/** The edges whose two ends are both shown. */
export function edgesBetween(edges: readonly Edge[], nodes: readonly RunFlowNode[]): Edge[] {
  const shown = new Set(nodes.map((node) => node.id));
  return edges.filter((link) => shown.has(link.source) && shown.has(link.target));
}
