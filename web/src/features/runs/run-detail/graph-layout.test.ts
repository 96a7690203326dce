import { describe, expect, it } from "vitest";

import { drawnGraph, repeatedCalls } from "./graph-groups";
import {
  edgesBetween,
  flowEdges,
  flowNodes,
  layoutGraph,
  markNodes,
  type GroupFlowNode,
  type RunFlowNode,
} from "./graph-layout";
import { extendGraph } from "./graph-model";
import { fanOutSteps, recordedEdges, recordedSteps } from "./test-run";

function ids(edges: { id: string }[]): string[] {
  return edges.map((edge) => edge.id).sort();
}

const full = drawnGraph({ steps: recordedSteps, edges: recordedEdges }, [], new Set());

describe("layout", () => {
  it("places causes before their effects, left to right or top down", () => {
    const across = layoutGraph(full, "LR");
    const down = layoutGraph(full, "TB");
    for (const edge of recordedEdges) {
      expect(across.get(edge.source)?.x).toBeLessThan(across.get(edge.target)?.x ?? 0);
      expect(down.get(edge.source)?.y).toBeLessThan(down.get(edge.target)?.y ?? 0);
    }
  });

  it("lays out a run of five hundred steps", () => {
    const nodes: { id: string }[] = [];
    const edges: { source: string; target: string }[] = [];
    for (let sequence = 1; sequence <= 500; sequence += 1) {
      nodes.push({ id: `s${sequence}` });
      if (sequence > 1) {
        const source = `s${Math.floor(sequence / 2)}`;
        edges.push({ source, target: `s${sequence}` });
      }
    }
    const positions = layoutGraph({ nodes, edges }, "LR");
    expect(positions.size).toBe(500);
  });

  it("shows a replay's steps only, and marks the selected and current ones", () => {
    const nodes = flowNodes(full.nodes, layoutGraph(full, "LR"), "LR");
    const marked = markNodes(nodes, { upToSequence: 4, selectedSequence: 2, currentSequence: 4 });
    expect(marked.map((node) => node.id)).toEqual(["stp_1", "stp_2", "stp_3", "stp_4"]);
    expect(marked[0]).toBe(nodes[0]);
    expect(marked[1]?.selected).toBe(true);
    expect(marked[3]?.data.current).toBe(true);
    expect(ids(edgesBetween(flowEdges(full), marked))).toEqual(
      ["stp_1-stp_2", "stp_1-stp_3", "stp_1-stp_4"].sort(),
    );
  });
});

describe("a group of repeated calls", () => {
  const graph = extendGraph({ steps: [], edges: [] }, fanOutSteps(8));
  const drawn = drawnGraph(graph, repeatedCalls(graph.steps), new Set());
  const nodes = flowNodes(drawn.nodes, layoutGraph(drawn, "LR"), "LR");
  const group = (marked: RunFlowNode[]) => {
    const found = marked.find((node): node is GroupFlowNode => node.type === "stepGroup");
    if (!found) {
      throw new Error("no group drawn");
    }
    return found;
  };

  it("is one node between its request and the next one", () => {
    expect(nodes.map((node) => node.type)).toEqual([
      "step",
      "stepGroup",
      "step",
      "step",
      "step",
      "step",
    ]);
    const positions = layoutGraph(drawn, "LR");
    const at = (id: string) => positions.get(id)?.x ?? NaN;
    expect(at("group:stp_1:text_stats")).toBeGreaterThan(at("stp_1"));
    expect(at("stp_20")).toBeGreaterThan(at("group:stp_1:text_stats"));
  });

  it("shows once a replay reaches its first call, counting what the replay has shown", () => {
    const none = { selectedSequence: null, currentSequence: null };
    const start = markNodes(nodes, { ...none, upToSequence: 1 });
    expect(start.map((node) => node.id)).toEqual(["stp_1"]);

    const partly = markNodes(nodes, { ...none, upToSequence: 4, currentSequence: 4 });
    expect(group(partly).data).toMatchObject({ current: true, upToSequence: 4 });
    expect(ids(edgesBetween(flowEdges(drawn), partly))).toEqual(["stp_1-group:stp_1:text_stats"]);

    const all = markNodes(nodes, { ...none, upToSequence: null });
    expect(group(all)).toBe(nodes[1]);
  });

  it("is marked selected when it holds the selected step", () => {
    const holding = markNodes(nodes, {
      upToSequence: null,
      selectedSequence: 12,
      currentSequence: null,
    });
    expect(group(holding).selected).toBe(true);
    expect(group(holding).data.upToSequence).toBeNull();
    // Step 10 is the search call, which is drawn on its own.
    const outside = markNodes(nodes, {
      upToSequence: null,
      selectedSequence: 10,
      currentSequence: null,
    });
    expect(group(outside)).toBe(nodes[1]);
    expect(outside.find((node) => node.id === "stp_10")?.selected).toBe(true);
  });
});
