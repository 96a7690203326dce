import { describe, expect, it } from "vitest";

import { extendGraph, runTotals, settleApprovals, type Step, type StepGraph } from "./graph-model";
import {
  approvedRunSteps,
  recordedEdges,
  recordedRun,
  recordedStep,
  recordedSteps,
} from "./test-run";

function ids(edges: { id: string }[]): string[] {
  return edges.map((edge) => edge.id).sort();
}

const full: StepGraph = { steps: recordedSteps, edges: recordedEdges };

describe("extendGraph", () => {
  it("is the API's snapshot when nothing new streamed in", () => {
    expect(extendGraph(full, [])).toBe(full);
    // The stream starts with every stored step: those are not added twice.
    expect(extendGraph(full, recordedSteps)).toBe(full);
  });

  it("computes the same edges as the API for steps that all came from the stream", () => {
    const graph = extendGraph({ steps: [], edges: [] }, recordedSteps);
    expect(graph.steps.map((step) => step.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ids(graph.edges)).toEqual(ids(recordedEdges));
  });

  it("keeps the snapshot's edges and adds those of the steps streamed after it", () => {
    const snapshot: StepGraph = {
      steps: recordedSteps.slice(0, 5),
      edges: recordedEdges.filter((edge) =>
        ["stp_1-stp_2", "stp_1-stp_3", "stp_1-stp_4", "stp_3-stp_5"].includes(edge.id),
      ),
    };
    // Out of order and repeated, as a reconnecting stream could deliver them.
    const streamed = [
      recordedSteps[6],
      recordedSteps[5],
      recordedSteps[4],
      recordedSteps[6],
    ].filter((step): step is Step => step !== undefined);
    const graph = extendGraph(snapshot, streamed);
    expect(graph.steps.map((step) => step.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ids(graph.edges)).toEqual(
      [
        "stp_1-stp_2",
        "stp_1-stp_3",
        "stp_1-stp_4",
        "stp_3-stp_5",
        "stp_4-stp_6",
        "stp_1-stp_7",
        "stp_5-stp_7",
        "stp_6-stp_7",
      ].sort(),
    );
    expect(graph.edges.find((edge) => edge.id === "stp_5-stp_7")?.kind).toBe("next");
    expect(graph.edges.find((edge) => edge.id === "stp_4-stp_6")?.kind).toBe("parent");
  });

  it("links a final answer to the last model request before it", () => {
    const snapshot: StepGraph = {
      steps: recordedSteps.slice(0, 8),
      edges: recordedEdges.filter((edge) => edge.target !== "stp_9"),
    };
    const graph = extendGraph(snapshot, recordedSteps.slice(8));
    expect(graph.edges.filter((edge) => edge.target === "stp_9")).toEqual([
      { id: "stp_7-stp_9", source: "stp_7", target: "stp_9", kind: "next" },
    ]);
  });

  it("leaves out edges to steps it does not have", () => {
    const orphan: Step = { ...recordedStep(5), parent_step_id: "stp_missing" };
    const graph = extendGraph({ steps: [], edges: [] }, [orphan]);
    expect(graph.edges).toEqual([]);
  });
});

describe("runTotals", () => {
  it("are the run's own once every step is counted in it", () => {
    const totals = runTotals(recordedRun(), recordedSteps);
    expect(totals).toEqual({
      steps: 9,
      tokensIn: 420,
      tokensOut: 120,
      costUsd: "0.00430000",
      latencyMs: 2400,
      confidence: 0.92,
    });
  });

  it("add the steps streamed after the run was read", () => {
    const run = recordedRun({
      status: "running",
      step_count: 6,
      tokens_in: 120,
      tokens_out: 40,
      cost_usd: "0.00120000",
      latency_ms: null,
    });
    const totals = runTotals(run, recordedSteps.slice(0, 8));
    expect(totals.steps).toBe(8);
    expect(totals.tokensIn).toBe(420);
    expect(totals.tokensOut).toBe(120);
    expect(Number(totals.costUsd)).toBeCloseTo(0.0043, 8);
    expect(totals.latencyMs).toBeNull();
  });

  it("have no confidence when no model request has one", () => {
    const steps = recordedSteps.map((step) => ({ ...step, confidence: null }));
    expect(runTotals(recordedRun(), steps).confidence).toBeNull();
  });
});

describe("an approved run", () => {
  it("reads as one chain: the tool's result leads to the request that read it", () => {
    const graph = extendGraph({ steps: [], edges: [] }, approvedRunSteps());
    expect(ids(graph.edges)).toEqual(
      [
        "stp_1-stp_2",
        "stp_2-stp_3",
        "stp_3-stp_4",
        "stp_4-stp_5",
        "stp_1-stp_6",
        "stp_5-stp_6",
        "stp_6-stp_7",
      ].sort(),
    );
  });

  it("shows a decided approval as decided, not as waiting", () => {
    const graph = settleApprovals(extendGraph({ steps: [], edges: [] }, approvedRunSteps()));
    expect(graph.steps.find((step) => step.id === "stp_3")?.status).toBe("done");
    const waiting = settleApprovals({ steps: approvedRunSteps().slice(0, 3), edges: [] });
    expect(waiting.steps.find((step) => step.id === "stp_3")?.status).toBe("pending");
  });
});
