/**
 * Where the graph's nodes go. A small graph is laid out at once; a large one (dagre takes
 * a second or more past a few hundred steps) in a background worker, one job at a time:
 * while a job runs, the latest graph waits for it, and the steps it has not placed yet get
 * provisional positions next to their parents.
 */
import { useEffect, useMemo, useRef, useState } from "react";

import {
  layoutGraph,
  layoutRequest,
  withProvisionalPositions,
  type LayoutDirection,
  type LayoutInput,
  type LayoutRequest,
  type LayoutResponse,
  type Point,
  type ProvisionalNode,
} from "./graph-layout";

/** Up to this many nodes, the layout is computed right away on the main thread. */
export const MAIN_THREAD_LAYOUT_NODES = 150;

/** A graph to lay out: its nodes, each with its parent, and its edges. */
export interface LayoutGraph extends LayoutInput {
  nodes: readonly ProvisionalNode[];
}

/** What lays out graphs in the background: a Worker, or a stand-in in tests. */
export interface LayoutWorker {
  postMessage: (request: LayoutRequest) => void;
  addEventListener: (
    type: "message" | "error",
    listener: (event: MessageEvent<LayoutResponse> | ErrorEvent) => void,
  ) => void;
  terminate: () => void;
}

interface LayoutJob {
  graph: LayoutGraph;
  direction: LayoutDirection;
}

export interface LaidOut extends LayoutJob {
  positions: Map<string, Point>;
}

/**
 * Sends layout jobs to a worker one at a time. A job asked for while another runs waits,
 * and only the latest waiting one is sent. If the worker fails, jobs are laid out here.
 */
export class BackgroundLayout {
  private worker: LayoutWorker | null = null;
  private readonly onDone: (result: LaidOut) => void;
  private running: { id: number; job: LayoutJob } | null = null;
  private waiting: LayoutJob | null = null;
  private jobs = 0;

  constructor(createWorker: () => LayoutWorker, onDone: (result: LaidOut) => void) {
    this.onDone = onDone;
    try {
      const worker = createWorker();
      worker.addEventListener("message", (event) => {
        if ("data" in event) {
          this.finish(event.data);
        }
      });
      worker.addEventListener("error", () => {
        this.fail();
      });
      this.worker = worker;
    } catch {
      // A browser that refuses the worker gets its layouts on the main thread.
    }
  }

  request(job: LayoutJob) {
    if (this.running) {
      this.waiting = job;
    } else {
      this.start(job);
    }
  }

  dispose() {
    this.worker?.terminate();
    this.running = null;
    this.waiting = null;
  }

  private start(job: LayoutJob) {
    if (!this.worker) {
      this.onDone({ ...job, positions: layoutGraph(job.graph, job.direction) });
      return;
    }
    this.jobs += 1;
    this.running = { id: this.jobs, job };
    this.worker.postMessage(layoutRequest(this.jobs, job.graph, job.direction));
  }

  private finish(response: LayoutResponse) {
    const running = this.running;
    if (running?.id !== response.job) {
      return;
    }
    const positions = new Map(response.positions.map(([id, x, y]) => [id, { x, y }]));
    this.onDone({ ...running.job, positions });
    this.next();
  }

  /** The worker could not run (it failed to load): lay out here from now on. */
  private fail() {
    this.worker?.terminate();
    this.worker = null;
    const running = this.running;
    if (running) {
      this.onDone({
        ...running.job,
        positions: layoutGraph(running.job.graph, running.job.direction),
      });
    }
    this.next();
  }

  private next() {
    this.running = null;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) {
      this.start(waiting);
    }
  }
}

function createLayoutWorker(): LayoutWorker {
  return new Worker(new URL("./layout.worker.ts", import.meta.url), {
    type: "module",
    name: "run-graph-layout",
  });
}

/**
 * The positions of the graph's nodes, and whether a background layout is still running
 * (the positions of some nodes are provisional then).
 */
export function useGraphLayout(graph: LayoutGraph, direction: LayoutDirection) {
  const inBackground =
    graph.nodes.length > MAIN_THREAD_LAYOUT_NODES && typeof Worker !== "undefined";
  const immediate = useMemo(
    () => (inBackground ? null : layoutGraph(graph, direction)),
    [inBackground, graph, direction],
  );
  const [laidOut, setLaidOut] = useState<LaidOut | null>(null);
  const background = useRef<BackgroundLayout | null>(null);

  useEffect(() => {
    if (!inBackground) {
      return undefined;
    }
    const layout = new BackgroundLayout(createLayoutWorker, setLaidOut);
    background.current = layout;
    return () => {
      layout.dispose();
      background.current = null;
    };
  }, [inBackground]);

  useEffect(() => {
    background.current?.request({ graph, direction });
  }, [inBackground, graph, direction]);

  const positions = useMemo(() => {
    if (immediate) {
      return immediate;
    }
    const known = laidOut?.direction === direction ? laidOut.positions : new Map<string, Point>();
    return withProvisionalPositions(graph.nodes, known, direction);
  }, [immediate, laidOut, graph.nodes, direction]);

  const settled = laidOut?.graph === graph && laidOut.direction === direction;
  return { positions, arranging: !immediate && !settled };
}
