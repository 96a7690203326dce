import { describe, expect, it } from "vitest";

import {
  layoutGraph,
  withProvisionalPositions,
  type LayoutRequest,
  type LayoutResponse,
} from "./graph-layout";
import { drawnGraph } from "./graph-groups";
import { recordedEdges, recordedSteps } from "./test-run";
import { BackgroundLayout, type LaidOut, type LayoutWorker } from "./use-graph-layout";

const full = drawnGraph({ steps: recordedSteps, edges: recordedEdges }, [], new Set());
const half = drawnGraph(
  { steps: recordedSteps.slice(0, 4), edges: recordedEdges.slice(0, 3) },
  [],
  new Set(),
);

/** A worker that answers when the test says, with the positions of a real layout. */
class FakeWorker implements LayoutWorker {
  readonly received: LayoutRequest[] = [];
  terminated = false;
  private readonly listeners = new Map<string, (event: never) => void>();

  postMessage(request: LayoutRequest) {
    this.received.push(request);
  }

  addEventListener(type: "message" | "error", listener: (event: never) => void) {
    this.listeners.set(type, listener);
  }

  terminate() {
    this.terminated = true;
  }

  answer(index: number) {
    const request = this.received[index];
    if (!request) {
      throw new Error(`no request ${index}`);
    }
    const positions = layoutGraph(
      {
        nodes: request.nodeIds.map((id) => ({ id })),
        edges: request.edges.map(([source, target]) => ({ source, target })),
      },
      request.direction,
    );
    const data: LayoutResponse = {
      job: request.job,
      positions: [...positions].map(([id, point]) => [id, point.x, point.y]),
    };
    this.listeners.get("message")?.(new MessageEvent("message", { data }) as never);
  }

  fail() {
    this.listeners.get("error")?.(new ErrorEvent("error") as never);
  }
}

function background() {
  const worker = new FakeWorker();
  const done: LaidOut[] = [];
  const layout = new BackgroundLayout(
    () => worker,
    (result) => done.push(result),
  );
  return { worker, done, layout };
}

describe("BackgroundLayout", () => {
  it("runs one job at a time and then only the latest one asked for", () => {
    const { worker, done, layout } = background();
    layout.request({ graph: half, direction: "LR" });
    layout.request({ graph: full, direction: "TB" });
    layout.request({ graph: full, direction: "LR" });
    expect(worker.received.map((request) => request.nodeIds.length)).toEqual([4]);

    worker.answer(0);
    expect(done.map((result) => result.graph)).toEqual([half]);
    expect(done[0]?.positions.size).toBe(4);
    expect(worker.received.map((request) => request.direction)).toEqual(["LR", "LR"]);
    expect(worker.received[1]?.nodeIds).toHaveLength(9);

    worker.answer(1);
    expect(done.map((result) => result.graph)).toEqual([half, full]);
    expect(done[1]?.positions).toEqual(layoutGraph(full, "LR"));
    layout.dispose();
    expect(worker.terminated).toBe(true);
  });

  it("lays out on the main thread when the worker fails or cannot start", () => {
    const { worker, done, layout } = background();
    layout.request({ graph: full, direction: "LR" });
    worker.fail();
    expect(done[0]?.positions).toEqual(layoutGraph(full, "LR"));
    layout.request({ graph: half, direction: "LR" });
    expect(done[1]?.positions.size).toBe(4);
    expect(worker.received).toHaveLength(1);

    const refused: LaidOut[] = [];
    const without = new BackgroundLayout(
      () => {
        throw new DOMException("refused", "SecurityError");
      },
      (result) => refused.push(result),
    );
    without.request({ graph: half, direction: "TB" });
    expect(refused[0]?.positions.size).toBe(4);
  });
});

describe("withProvisionalPositions", () => {
  it("keeps the known positions and puts new steps one rank past their parents", () => {
    const known = layoutGraph(half, "LR");
    const positions = withProvisionalPositions(full.nodes, known, "LR");
    expect(positions.size).toBe(9);
    for (const [id, point] of known) {
      expect(positions.get(id)).toEqual(point);
    }
    const call = positions.get("stp_3");
    const result = positions.get("stp_5");
    expect(result?.x).toBeGreaterThan(call?.x ?? Infinity);
    expect(result?.y).toBe(call?.y);
    // A new child of the first request goes after the children already placed.
    const siblings = ["stp_2", "stp_3", "stp_4"].map((id) => known.get(id)?.y ?? 0);
    expect(positions.get("stp_7")?.y).toBeGreaterThan(Math.max(...siblings));
  });

  it("places everything when nothing is laid out yet, top down too", () => {
    const positions = withProvisionalPositions(full.nodes, new Map(), "TB");
    expect(positions.get("stp_1")).toEqual({ x: 0, y: 0 });
    expect(positions.get("stp_2")?.y).toBeGreaterThan(0);
    expect(positions.get("stp_9")?.y).toBeGreaterThan(positions.get("stp_2")?.y ?? Infinity);
    expect(new Set([...positions.values()].map((point) => `${point.x},${point.y}`)).size).toBe(9);
  });
});
