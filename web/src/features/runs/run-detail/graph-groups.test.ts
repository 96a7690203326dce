import { describe, expect, it } from "vitest";

import {
  drawnGraph,
  groupsBySequence,
  repeatedCalls,
  summariseGroup,
  withGroupsOpened,
} from "./graph-groups";
import { extendGraph, type StepGraph } from "./graph-model";
import { fanOutSteps, recordedEdges, recordedSteps } from "./test-run";

/** A fan-out run with the edges the API computes. */
function fanOut(calls: number, failing: number[] = []): StepGraph {
  return extendGraph({ steps: [], edges: [] }, fanOutSteps(calls, failing));
}

function pairs(edges: { source: string; target: string }[]): string[] {
  return edges.map((edge) => `${edge.source} > ${edge.target}`).sort();
}

const GROUP = "group:stp_1:text_stats";

describe("repeatedCalls", () => {
  it("groups more than six calls of one tool by one request, with their results", () => {
    const graph = fanOut(7);
    const groups = repeatedCalls(graph.steps);
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group?.id).toBe(GROUP);
    expect(group?.requestId).toBe("stp_1");
    expect(group?.toolName).toBe("text_stats");
    // Calls 2-8, their results 10-16; not the single search call (9) or its result (17).
    expect(group?.steps.map((step) => step.sequence)).toEqual([
      2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16,
    ]);
  });

  it("leaves six calls, and calls of different tools, as they are", () => {
    expect(repeatedCalls(fanOut(6).steps)).toEqual([]);
    expect(repeatedCalls(recordedSteps)).toEqual([]);
    expect(repeatedCalls(fanOut(3).steps, 2).map((group) => group.id)).toEqual([GROUP]);
  });

  it("keeps calls of the same tool by different requests apart", () => {
    const first = fanOutSteps(4);
    const second = fanOutSteps(4).map((step) => ({
      ...step,
      id: `${step.id}b`,
      sequence: step.sequence + 100,
      parent_step_id: step.parent_step_id && `${step.parent_step_id}b`,
    }));
    expect(repeatedCalls([...first, ...second])).toEqual([]);
  });
});

describe("drawnGraph", () => {
  it("draws a collapsed group in place of its steps, with edges to and from it", () => {
    const graph = fanOut(250);
    const drawn = drawnGraph(graph, repeatedCalls(graph.steps), new Set());
    expect(drawn.nodes.map((node) => node.id)).toEqual([
      "stp_1",
      GROUP,
      "stp_252",
      "stp_503",
      "stp_504",
      "stp_505",
    ]);
    expect(drawn.nodes[1]).toMatchObject({ type: "group", parentId: "stp_1" });
    expect(drawn.nodes[3]).toMatchObject({ type: "step", parentId: "stp_252" });
    expect(pairs(drawn.edges)).toEqual(
      [
        `stp_1 > ${GROUP}`,
        `${GROUP} > stp_504`,
        "stp_1 > stp_252",
        "stp_252 > stp_503",
        "stp_503 > stp_504",
        "stp_1 > stp_504",
        "stp_504 > stp_505",
      ].sort(),
    );
    expect(new Set(drawn.edges.map((edge) => edge.id)).size).toBe(drawn.edges.length);
    // Edges that touch no group keep the API's ids and kinds.
    expect(drawn.edges).toContainEqual(graph.edges.find((edge) => edge.id === "stp_1-stp_504"));
    expect(drawn.edges.find((edge) => edge.target === "stp_504" && edge.source === GROUP)).toEqual({
      id: `${GROUP}-stp_504`,
      source: GROUP,
      target: "stp_504",
      kind: "next",
    });
  });

  it("draws every step of an expanded group", () => {
    const graph = fanOut(8);
    const drawn = drawnGraph(graph, repeatedCalls(graph.steps), new Set([GROUP]));
    expect(drawn.nodes.map((node) => node.id)).toEqual(graph.steps.map((step) => step.id));
    expect(drawn.nodes.every((node) => node.type === "step")).toBe(true);
    expect(drawn.edges).toEqual(graph.edges);
  });

  it("is the run's own graph when nothing repeats", () => {
    const drawn = drawnGraph({ steps: recordedSteps, edges: recordedEdges }, [], new Set());
    expect(drawn.nodes.map((node) => node.id)).toEqual(recordedSteps.map((step) => step.id));
    expect(drawn.nodes[2]).toMatchObject({ parentId: "stp_1" });
    expect(drawn.edges).toEqual(recordedEdges);
  });
});

describe("summariseGroup", () => {
  it("counts the calls, how they went, their time range and tokens", () => {
    const graph = fanOut(8, [2, 5]);
    const [group] = repeatedCalls(graph.steps);
    if (!group) {
      throw new Error("no group");
    }
    expect(summariseGroup(group, null)).toEqual({
      calls: 8,
      ok: 6,
      errors: 2,
      waiting: 0,
      fastestMs: 10,
      slowestMs: 80,
      tokensIn: 0,
      tokensOut: 0,
    });
  });

  it("counts only what a replay has reached: calls whose result is not shown yet wait", () => {
    const steps = fanOutSteps(8).map((step) =>
      step.kind === "tool_result" ? { ...step, tokens_in: 3 } : step,
    );
    const [group] = repeatedCalls(steps);
    if (!group) {
      throw new Error("no group");
    }
    // Calls 2-9 and the search call (10); results of the first three calls are 11-13.
    expect(summariseGroup(group, 13)).toMatchObject({
      calls: 8,
      ok: 3,
      waiting: 5,
      fastestMs: 10,
      slowestMs: 1000,
      tokensIn: 9,
    });
    expect(summariseGroup(group, 4).calls).toBe(3);
  });
});

describe("withGroupsOpened", () => {
  it("opens the groups that hold the steps given, and nothing else", () => {
    const graph = fanOut(7);
    const bySequence = groupsBySequence(repeatedCalls(graph.steps));
    const none = new Set<string>();
    expect(withGroupsOpened(none, bySequence, [1, null])).toBe(none);
    expect([...withGroupsOpened(none, bySequence, [null, 12])]).toEqual([GROUP]);
    const open = new Set([GROUP]);
    expect(withGroupsOpened(open, bySequence, [3])).toBe(open);
  });
});
