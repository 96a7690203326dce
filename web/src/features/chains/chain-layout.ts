import type { ChainDefinition } from "./hooks";

export const CHAIN_NODE_WIDTH = 220;
export const CHAIN_NODE_HEIGHT = 76;
const COLUMN_GAP = 90;
const ROW_GAP = 36;

export interface Placed {
  id: string;
  x: number;
  y: number;
}

/**
 * Where each node of a chain sits: a column per depth (the longest path from a node with
 * no predecessor), left to right, and the nodes of a column stacked and centred on the
 * tallest one. Positions saved with the chain win.
 */
export function layoutChain(definition: ChainDefinition): Placed[] {
  const predecessors = new Map(definition.nodes.map((node) => [node.id, [] as string[]]));
  for (const edge of definition.edges ?? []) {
    predecessors.get(edge.target)?.push(edge.source);
  }
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) {
      return known;
    }
    if (seen.has(id)) {
      return 0; // a cycle cannot be saved; never loop on one
    }
    seen.add(id);
    const before = predecessors.get(id) ?? [];
    const value = before.length ? Math.max(...before.map((p) => depthOf(p, seen) + 1)) : 0;
    depth.set(id, value);
    return value;
  };
  const columns = new Map<number, string[]>();
  for (const node of definition.nodes) {
    const column = depthOf(node.id, new Set());
    columns.set(column, [...(columns.get(column) ?? []), node.id]);
  }
  const tallest = Math.max(...[...columns.values()].map((ids) => ids.length));
  const placed = new Map<string, Placed>();
  for (const [column, ids] of columns) {
    const offset = ((tallest - ids.length) * (CHAIN_NODE_HEIGHT + ROW_GAP)) / 2;
    ids.forEach((id, row) => {
      placed.set(id, {
        id,
        x: column * (CHAIN_NODE_WIDTH + COLUMN_GAP),
        y: offset + row * (CHAIN_NODE_HEIGHT + ROW_GAP),
      });
    });
  }
  return definition.nodes.map((node) => {
    const saved = node.position;
    return saved
      ? { id: node.id, x: saved.x, y: saved.y }
      : (placed.get(node.id) ?? { id: node.id, x: 0, y: 0 });
  });
}
