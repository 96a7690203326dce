import type { ChainDefinition } from "./hooks";

/** A node of a chain being drawn: its agent, what it is asked, and where it sits. */
export interface DraftNode {
  id: string;
  agentId: string;
  prompt: string;
  approval: boolean;
  position: { x: number; y: number };
}

export interface DraftEdge {
  source: string;
  target: string;
}

export interface Draft {
  nodes: DraftNode[];
  edges: DraftEdge[];
}

const NODE_ID = /^[a-z][a-z0-9_-]{0,39}$/;

/** A node id for an agent, unused in the draft: its name in lower case, then -2, -3... */
export function freshNodeId(agentName: string, taken: ReadonlySet<string>): string {
  const stem =
    agentName
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^[^a-z]+/, "")
      .replace(/-+$/, "")
      .slice(0, 34) || "node";
  if (!taken.has(stem)) return stem;
  let number = 2;
  while (taken.has(`${stem}-${String(number)}`)) number += 1;
  return `${stem}-${String(number)}`;
}

/** Why a node id cannot be used, or null when it can. */
export function nodeIdProblem(id: string, others: ReadonlySet<string>): string | null {
  if (!NODE_ID.test(id)) {
    return "Lower-case letters, digits, - and _, starting with a letter (at most 40).";
  }
  return others.has(id) ? "Another node has this id." : null;
}

/** Adds an edge unless it exists already or joins a node to itself. */
export function connect(draft: Draft, source: string, target: string): Draft {
  if (source === target || draft.edges.some((e) => e.source === source && e.target === target)) {
    return draft;
  }
  return { ...draft, edges: [...draft.edges, { source, target }] };
}

/** Renames a node, and the edges and placeholders that name it. */
export function renameNode(draft: Draft, from: string, to: string): Draft {
  const rename = (id: string) => (id === from ? to : id);
  return {
    nodes: draft.nodes.map((node) => ({
      ...node,
      id: rename(node.id),
      prompt: node.prompt.replaceAll(`{{node.${from}}}`, `{{node.${to}}}`),
    })),
    edges: draft.edges.map((edge) => ({
      source: rename(edge.source),
      target: rename(edge.target),
    })),
  };
}

/** Removes a node and its edges. */
export function removeNode(draft: Draft, id: string): Draft {
  return {
    nodes: draft.nodes.filter((node) => node.id !== id),
    edges: draft.edges.filter((edge) => edge.source !== id && edge.target !== id),
  };
}

/** The draft as a saved chain's definition (a swarm keeps its strategy). */
export function toDefinition(draft: Draft, base?: ChainDefinition): ChainDefinition {
  return {
    strategy: base?.strategy ?? "graph",
    rounds: base?.rounds ?? null,
    nodes: draft.nodes.map((node) => ({
      id: node.id,
      agent_id: node.agentId,
      prompt: node.prompt.trim() ? node.prompt : null,
      approval: node.approval,
      position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    })),
    edges: draft.edges,
  };
}

/** A saved definition as a draft, placed where it was saved (or laid out). */
export function fromDefinition(
  definition: ChainDefinition,
  places: ReadonlyMap<string, { x: number; y: number }>,
): Draft {
  return {
    nodes: definition.nodes.map((node) => ({
      id: node.id,
      agentId: node.agent_id ?? "",
      prompt: node.prompt ?? "",
      approval: node.approval,
      position: places.get(node.id) ?? { x: 0, y: 0 },
    })),
    edges: (definition.edges ?? []).map(({ source, target }) => ({ source, target })),
  };
}

/**
 * The messages of a refused save, by node index (`#/definition/nodes/1/...`), and the
 * rest (cycles, edges) for the whole graph.
 */
export function definitionErrors(errors: readonly { pointer?: string | null; message: string }[]): {
  byNode: Map<number, string>;
  graph: string[];
} {
  const byNode = new Map<number, string>();
  const graph: string[] = [];
  for (const error of errors) {
    const match = /^#\/definition\/nodes\/(\d+)/.exec(error.pointer ?? "");
    if (match) {
      const index = Number(match[1]);
      if (!byNode.has(index)) byNode.set(index, error.message);
    } else if ((error.pointer ?? "").startsWith("#/definition")) {
      graph.push(error.message);
    }
  }
  return { byNode, graph };
}
