/**
 * Following a run as it happens: the browser's EventSource on `GET .../runs/{id}/events`
 * (same origin, so the session cookie goes with it). The stream sends every stored step,
 * then each new one, then `end` with the run; when the connection drops, the browser
 * reconnects by itself with `Last-Event-ID` and the stream resumes after the last step
 * received. Steps are handed over in small batches, so that a long backlog lays the graph
 * out a few times rather than once per step.
 */
import { useEffect, useEffectEvent, useState } from "react";

import type { Run, Step } from "./graph-model";

/** How long steps wait to be handed over together. */
const BATCH_MS = 100;

/** `failed`: the server refused the stream (the browser does not retry then). */
export type StreamState = "idle" | "connecting" | "open" | "reconnecting" | "closed" | "failed";

function isStep(value: unknown): value is Step {
  const candidate = value as Partial<Step> | null;
  return (
    typeof candidate?.id === "string" &&
    typeof candidate.sequence === "number" &&
    typeof candidate.kind === "string"
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
}

/** The steps the stream sent, in the order received, and the connection's state. */
export function useRunEvents({ workspaceId, runId, enabled, onEnd }: RunEventsOptions) {
  const [streamed, setStreamed] = useState<Step[]>([]);
  const [state, setState] = useState<StreamState>("connecting");
  const ended = useEffectEvent((run: Run) => {
    onEnd(run);
  });

  useEffect(() => {
    if (!enabled) {
      return undefined;
    }
    const source = new EventSource(runEventsUrl(workspaceId, runId));
    let pending: Step[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (pending.length > 0) {
        const batch = pending;
        pending = [];
        setStreamed((earlier) => [...earlier, ...batch]);
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
        timer ??= setTimeout(flush, BATCH_MS);
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

  return { streamed, state: enabled ? state : "idle" };
}
