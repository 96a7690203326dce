/**
 * A run as a graph of its steps: the snapshot `GET .../graph` answered, extended with the
 * steps the live stream sent after it. The API computes the causal edges of the snapshot;
 * the edges of streamed steps are computed here by the same rules (see
 * `graph_edges` in the runs service): a step's parent, the tool results a model request
 * answered, and the last model request before a final answer, error or approval.
 */
import type { Schemas } from "../../../api/client";

export type Run = Schemas["RunOut"];
/** The totals of a run, which a shared run's public shape has too. */
export type RunFigures = Pick<
  Run,
  "step_count" | "tokens_in" | "tokens_out" | "cost_usd" | "latency_ms"
>;
export type Step = Schemas["StepOut"];
export type StepKind = Step["kind"];
export type StepEdge = Schemas["GraphEdge"];

export interface StepGraph {
  /** In sequence order. */
  steps: Step[];
  edges: StepEdge[];
}

const TERMINAL_KINDS: ReadonlySet<StepKind> = new Set(["final", "error", "approval"]);

function edge(source: string, target: string, kind: StepEdge["kind"]): StepEdge {
  return { id: `${source}-${target}`, source, target, kind };
}

function bySequence(first: Step, second: Step): number {
  return first.sequence - second.sequence;
}

/** The steps of `streamed` the snapshot lacks, once each, in sequence order. */
function newSteps(known: ReadonlySet<string>, streamed: readonly Step[]): Step[] {
  const fresh = new Map<string, Step>();
  for (const step of streamed) {
    if (!known.has(step.id)) {
      fresh.set(step.id, step);
    }
  }
  return [...fresh.values()].sort(bySequence);
}

/** Each model request's tool results, keyed by the request that asked for the tools. */
function resultsByRequest(steps: readonly Step[], byId: ReadonlyMap<string, Step>) {
  const results = new Map<string, Step[]>();
  for (const step of steps) {
    const request = step.kind === "tool_result" ? requestAnswered(step, byId) : null;
    if (request) {
      results.set(request, [...(results.get(request) ?? []), step]);
    }
  }
  return results;
}

/**
 * The model request whose tool call a result answers: the call's parent, or, for a call
 * that waited for approval, the request above its decision, its approval and the call.
 */
function requestAnswered(result: Step, byId: ReadonlyMap<string, Step>): string | null {
  let current = byId.get(result.parent_step_id ?? "");
  for (let depth = 0; depth < 4 && current; depth += 1) {
    if (current.kind === "model_request") {
      return current.id;
    }
    current = byId.get(current.parent_step_id ?? "");
  }
  return null;
}

/**
 * The graph with each approval that was decided shown as decided: the asking step stays
 * stored as pending, and its decision is the step under it.
 */
export function settleApprovals(graph: StepGraph): StepGraph {
  const decisions = new Map<string, Step>();
  for (const step of graph.steps) {
    if (step.kind === "approval" && step.parent_step_id) {
      decisions.set(step.parent_step_id, step);
    }
  }
  if (decisions.size === 0) {
    return graph;
  }
  const steps = graph.steps.map((step) => {
    const decision =
      step.kind === "approval" && step.status === "pending" && decisions.get(step.id);
    return decision ? { ...step, status: decision.status } : step;
  });
  return steps.some((step, index) => step !== graph.steps[index]) ? { ...graph, steps } : graph;
}

/** The causal edges that touch at least one of the `fresh` steps. */
export function edgesOfNewSteps(steps: readonly Step[], fresh: ReadonlySet<string>): StepEdge[] {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const edges: StepEdge[] = [];
  for (const step of steps) {
    if (fresh.has(step.id) && step.parent_step_id && byId.has(step.parent_step_id)) {
      edges.push(edge(step.parent_step_id, step.id, "parent"));
    }
  }
  const results = resultsByRequest(steps, byId);
  let lastRequest: Step | null = null;
  for (const step of steps) {
    if (step.kind === "model_request") {
      for (const result of results.get(step.parent_step_id ?? "") ?? []) {
        if (fresh.has(result.id) || fresh.has(step.id)) {
          edges.push(edge(result.id, step.id, "next"));
        }
      }
      lastRequest = step;
    } else if (
      TERMINAL_KINDS.has(step.kind) &&
      !step.parent_step_id &&
      fresh.has(step.id) &&
      lastRequest
    ) {
      edges.push(edge(lastRequest.id, step.id, "next"));
    }
  }
  return edges;
}

/**
 * The graph of the snapshot plus the streamed steps it lacks. Streamed steps the snapshot
 * already has (the stream starts with every stored step) are dropped; the result is the
 * snapshot itself when nothing is new, so that memoised views keep it.
 */
export function extendGraph(snapshot: StepGraph, streamed: readonly Step[]): StepGraph {
  const known = new Set(snapshot.steps.map((step) => step.id));
  const fresh = newSteps(known, streamed);
  if (fresh.length === 0) {
    return snapshot;
  }
  const steps = [...snapshot.steps, ...fresh].sort(bySequence);
  const edges = new Map(snapshot.edges.map((existing) => [existing.id, existing]));
  for (const added of edgesOfNewSteps(steps, new Set(fresh.map((step) => step.id)))) {
    if (!edges.has(added.id)) {
      edges.set(added.id, added);
    }
  }
  return { steps, edges: [...edges.values()] };
}

export interface RunTotals {
  steps: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: string;
  latencyMs: number | null;
  /** The mean confidence of the run's model requests that have one. */
  confidence: number | null;
}

/**
 * The run's totals: those the API stored with the run, plus the steps streamed since
 * (whose sequence is past the run's step count).
 */
export function runTotals(run: RunFigures, steps: readonly Step[]): RunTotals {
  const uncounted = steps.filter((step) => step.sequence > run.step_count);
  const sum = (pick: (step: Step) => number) =>
    uncounted.reduce((total, step) => total + pick(step), 0);
  const confidences = steps
    .filter((step) => step.kind === "model_request" && step.confidence !== null)
    .map((step) => step.confidence ?? 0);
  const addedCost = sum((step) => Number(step.cost_usd));
  return {
    steps: run.step_count + uncounted.length,
    tokensIn: run.tokens_in + sum((step) => step.tokens_in),
    tokensOut: run.tokens_out + sum((step) => step.tokens_out),
    costUsd: addedCost === 0 ? run.cost_usd : String(Number(run.cost_usd) + addedCost),
    latencyMs: run.latency_ms,
    confidence:
      confidences.length === 0
        ? null
        : confidences.reduce((total, value) => total + value, 0) / confidences.length,
  };
}

/** Whether the run can still change: its stream is worth following. */
export function isLive(run: Pick<Run, "status">): boolean {
  return run.status === "queued" || run.status === "running";
}

/** Whether the run has ended for good and can be replayed. */
export function isFinished(run: Pick<Run, "status">): boolean {
  return run.status === "succeeded" || run.status === "failed" || run.status === "cancelled";
}
