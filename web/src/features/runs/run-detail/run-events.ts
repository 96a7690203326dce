/**
 * Following a run as it happens: the browser's EventSource on `GET .../runs/{id}/events`
 * (same origin, so the session cookie goes with it). The stream sends every stored step,
 * then each new one, then `end` with the run; when the connection drops, the browser
 * reconnects by itself with `Last-Event-ID` and the stream resumes after the last step
 * received. A step after a quiet spell is handed over at once (the graph shows it within
 * a frame); steps that follow within `BATCH_MS` wait and go together, so that a long
 * backlog lays the graph out a few times rather than once per step. `delta` events (text
 * and thinking fragments while a model streams; never stored, so never replayed) go to
 * `onDelta` as they come.
 */
import { useEffect, useEffectEvent, useState } from "react";

import type { Run, Step } from "./graph-model";

/** At most one hand-over of steps per this many milliseconds. */
const BATCH_MS = 100;

/** `failed`: the server refused the stream (the browser does not retry then). */
export type StreamState = "idle" | "connecting" | "open" | "reconnecting" | "closed" | "failed";

/** A fragment of text or thinking that a model request of the run is streaming. */
export interface RunDelta {
  /** Which model request of the run streams it (the same number for all its fragments). */
  request: number;
  /** Which part of the model's response it belongs to. */
  part: number;
  kind: "text" | "thinking";
  text: string;
}

const NO_STEPS: Step[] = [];

function isStep(value: unknown): value is Step {
  const candidate = value as Partial<Step> | null;
  return (
    typeof candidate?.id === "string" &&
    typeof candidate.sequence === "number" &&
    typeof candidate.kind === "string"
  );
}

function isDelta(value: unknown): value is RunDelta {
  const candidate = value as Partial<RunDelta> | null;
  return (
    typeof candidate?.request === "number" &&
    typeof candidate.part === "number" &&
    (candidate.kind === "text" || candidate.kind === "thinking") &&
    typeof candidate.text === "string"
  );
}

function isRun(value: unknown): value is Run {
  const candidate = value as Partial<Run> | null;
  return typeof candidate?.id === "string" && typeof candidate.status === "string";
}

function parse(data: unknown): unknown {
  try {
    return typeof data === "string" ? (JSON.parse(data) as unknown) : null;
  } catch {
    return null;
  }
}

export function runEventsUrl(workspaceId: string, runId: string): string {
  return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/runs/${encodeURIComponent(runId)}/events`;
}

interface RunEventsOptions {
  workspaceId: string;
  runId: string;
  /** Follow the run: true while it is queued or running. */
  enabled: boolean;
  /** The run as it ended (or paused for approvals). */
  onEnd: (run: Run) => void;
  /** Each text or thinking fragment, while a model request streams. */
  onDelta?: (delta: RunDelta) => void;
}

/**
 * The steps the stream sent, in the order received, and the connection's state. The
 * steps are those of `runId`: following another run starts again from none.
 */
export function useRunEvents({ workspaceId, runId, enabled, onEnd, onDelta }: RunEventsOptions) {
  const [streamed, setStreamed] = useState<{ runId: string; steps: Step[] }>({
    runId,
    steps: NO_STEPS,
  });
  const [state, setState] = useState<StreamState>("connecting");
  const ended = useEffectEvent((run: Run) => {
    onEnd(run);
  });
  const delivered = useEffectEvent((delta: RunDelta) => {
    onDelta?.(delta);
  });

  useEffect(() => {
    if (!enabled) {
      return undefined;
    }
    const source = new EventSource(runEventsUrl(workspaceId, runId));
    let pending: Step[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let flushedAt = Number.NEGATIVE_INFINITY;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      flushedAt = performance.now();
      if (pending.length > 0) {
        const batch = pending;
        pending = [];
        setStreamed((earlier) => ({
          runId,
          steps: earlier.runId === runId ? [...earlier.steps, ...batch] : batch,
        }));
      }
    };
    source.addEventListener("open", () => {
      setState("open");
    });
    source.addEventListener("error", () => {
      setState(source.readyState === EventSource.CLOSED ? "failed" : "reconnecting");
    });
    source.addEventListener("step", (event) => {
      const step = parse(event.data);
      if (isStep(step)) {
        pending.push(step);
        timer ??= setTimeout(flush, Math.max(0, flushedAt + BATCH_MS - performance.now()));
      }
    });
    source.addEventListener("delta", (event) => {
      const delta = parse(event.data);
      if (isDelta(delta)) {
        delivered(delta);
      }
    });
    source.addEventListener("end", (event) => {
      source.close();
      flush();
      setState("closed");
      const run = parse(event.data);
      if (isRun(run)) {
        ended(run);
      }
    });
    return () => {
      source.close();
      clearTimeout(timer);
      setState("connecting");
    };
  }, [enabled, workspaceId, runId]);

  return {
    streamed: streamed.runId === runId ? streamed.steps : NO_STEPS,
    state: enabled ? state : "idle",
  };
}
