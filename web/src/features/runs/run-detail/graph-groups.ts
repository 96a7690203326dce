/**
 * Repeated tool calls drawn as one node. A model request that calls one tool many times at
 * once (a fan-out over a list: `text_stats` 250 times) would otherwise draw hundreds of
 * look-alike nodes; past `GROUP_ABOVE_CALLS` sibling calls of a tool, the calls and their
 * results become one group, with edges to and from the group instead of its steps, until
 * the reader expands it.
 */
import type { Step, StepEdge, StepGraph } from "./graph-model";

/** More sibling calls of one tool than this, under one model request, make a group. */
export const GROUP_ABOVE_CALLS = 6;

/** The calls of one tool that one model request made, with their results. */
export interface RepeatedCalls {
  /** `group:` then the request's id and the tool's name: stable as the run grows. */
  id: string;
  requestId: string;
  toolName: string;
  /** The calls and their results, in sequence order. */
  steps: Step[];
}

/** A node to draw: a step, or a collapsed group of repeated calls. */
export type DrawnNode =
  | { type: "step"; id: string; parentId: string | null; step: Step }
  | { type: "group"; id: string; parentId: string | null; group: RepeatedCalls };

/** The graph as drawn: collapsed groups stand in for their steps. */
export interface DrawnGraph {
  nodes: DrawnNode[];
  edges: StepEdge[];
}

/** What a group's steps add up to, as far as a replay has reached. */
export interface GroupSummary {
  /** The calls shown. */
  calls: number;
  /** Calls whose result came back without an error. */
  ok: number;
  /** Calls that failed, or whose result is an error. */
  errors: number;
  /** Calls with no result yet. */
  waiting: number;
  /** The quickest and slowest call, by its result's latency; null when none is timed. */
  fastestMs: number | null;
  slowestMs: number | null;
  tokensIn: number;
  tokensOut: number;
}

function groupId(requestId: string, toolName: string): string {
  return `group:${requestId}:${toolName}`;
}

/** The tool calls of each (model request, tool) pair, in sequence order. */
function callsByRequestAndTool(steps: readonly Step[]): Map<string, Step[]> {
  const requests = new Set(
    steps.filter((step) => step.kind === "model_request").map((step) => step.id),
  );
  const calls = new Map<string, Step[]>();
  for (const step of steps) {
    if (step.kind === "tool_call" && step.name && requests.has(step.parent_step_id ?? "")) {
      const key = groupId(step.parent_step_id ?? "", step.name);
      const siblings = calls.get(key);
      if (siblings) {
        siblings.push(step);
      } else {
        calls.set(key, [step]);
      }
    }
  }
  return calls;
}

/**
 * The groups of `steps` (in sequence order): each model request's calls of one tool, when
 * there are more than `above` of them, with the results of those calls.
 */
export function repeatedCalls(
  steps: readonly Step[],
  above: number = GROUP_ABOVE_CALLS,
): RepeatedCalls[] {
  const groups: RepeatedCalls[] = [];
  const groupOfCall = new Map<string, RepeatedCalls>();
  for (const [id, calls] of callsByRequestAndTool(steps)) {
    const [first] = calls;
    if (calls.length > above && first) {
      const group: RepeatedCalls = {
        id,
        requestId: first.parent_step_id ?? "",
        toolName: first.name ?? "",
        steps: [],
      };
      groups.push(group);
      for (const call of calls) {
        groupOfCall.set(call.id, group);
      }
    }
  }
  for (const step of steps) {
    const group =
      step.kind === "tool_result" ? groupOfCall.get(step.parent_step_id ?? "") : undefined;
    (group ?? groupOfCall.get(step.id))?.steps.push(step);
  }
  return groups;
}

/** The group each grouped step belongs to, by the step's sequence. */
export function groupsBySequence(groups: readonly RepeatedCalls[]): Map<number, RepeatedCalls> {
  const bySequence = new Map<number, RepeatedCalls>();
  for (const group of groups) {
    for (const step of group.steps) {
      bySequence.set(step.sequence, group);
    }
  }
  return bySequence;
}

/**
 * `expanded` with the groups that hold any of `sequences` added: a step that is selected,
 * or that a replay reaches, must be seen. The same set when nothing is added.
 */
export function withGroupsOpened(
  expanded: ReadonlySet<string>,
  bySequence: ReadonlyMap<number, RepeatedCalls>,
  sequences: readonly (number | null)[],
): ReadonlySet<string> {
  const holding = sequences
    .map((sequence) => (sequence === null ? undefined : bySequence.get(sequence)?.id))
    .filter((id): id is string => id !== undefined && !expanded.has(id));
  return holding.length === 0 ? expanded : new Set([...expanded, ...holding]);
}

/**
 * The nodes and edges to draw: the groups not in `expanded` replace their steps (at the
 * place of their first step), and edges to or from a step in such a group go to or from
 * the group, once per pair of ends.
 */
export function drawnGraph(
  graph: StepGraph,
  groups: readonly RepeatedCalls[],
  expanded: ReadonlySet<string>,
): DrawnGraph {
  const collapsed = new Map<string, RepeatedCalls>();
  for (const group of groups) {
    if (!expanded.has(group.id)) {
      for (const step of group.steps) {
        collapsed.set(step.id, group);
      }
    }
  }
  const drawnId = (stepId: string) => collapsed.get(stepId)?.id ?? stepId;
  const nodes: DrawnNode[] = [];
  const placed = new Set<string>();
  for (const step of graph.steps) {
    const group = collapsed.get(step.id);
    const parentId = step.parent_step_id === null ? null : drawnId(step.parent_step_id);
    if (!group) {
      nodes.push({ type: "step", id: step.id, parentId, step });
    } else if (!placed.has(group.id)) {
      placed.add(group.id);
      nodes.push({ type: "group", id: group.id, parentId: group.requestId, group });
    }
  }
  return { nodes, edges: redirectEdges(graph.edges, drawnId) };
}

/** The edges with their ends moved by `drawnId`, without loops or repeats. */
function redirectEdges(
  edges: readonly StepEdge[],
  drawnId: (stepId: string) => string,
): StepEdge[] {
  const redirected = new Map<string, StepEdge>();
  for (const link of edges) {
    const source = drawnId(link.source);
    const target = drawnId(link.target);
    const id = source === link.source && target === link.target ? link.id : `${source}-${target}`;
    if (source !== target && !redirected.has(`${source}\n${target}`)) {
      redirected.set(`${source}\n${target}`, { ...link, id, source, target });
    }
  }
  return [...redirected.values()];
}

/** The group's calls and their outcomes, counting the steps up to `upToSequence` only. */
export function summariseGroup(group: RepeatedCalls, upToSequence: number | null): GroupSummary {
  const shown = group.steps.filter(
    (step) => upToSequence === null || step.sequence <= upToSequence,
  );
  const resultOf = new Map(
    shown
      .filter((step) => step.kind === "tool_result")
      .map((step) => [step.parent_step_id ?? "", step]),
  );
  const summary: GroupSummary = {
    calls: 0,
    ok: 0,
    errors: 0,
    waiting: 0,
    fastestMs: null,
    slowestMs: null,
    tokensIn: 0,
    tokensOut: 0,
  };
  for (const step of shown) {
    summary.tokensIn += step.tokens_in;
    summary.tokensOut += step.tokens_out;
    if (step.kind === "tool_call") {
      countCall(summary, step, resultOf.get(step.id));
    }
  }
  return summary;
}

/** Adds a call, and its result if it came back, to `summary`. */
function countCall(summary: GroupSummary, call: Step, result: Step | undefined) {
  summary.calls += 1;
  if (call.status === "error" || result?.status === "error") {
    summary.errors += 1;
  } else if (result) {
    summary.ok += 1;
  } else {
    summary.waiting += 1;
  }
  const latency = result ? result.latency_ms : call.latency_ms;
  if (latency !== null) {
    summary.fastestMs = Math.min(summary.fastestMs ?? latency, latency);
    summary.slowestMs = Math.max(summary.slowestMs ?? latency, latency);
  }
}
