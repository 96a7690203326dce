import {
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { api, unwrap, type Schemas } from "../../api/client";
import { agentsKey } from "../agents/hooks";
import { runsKey } from "../runs/hooks";
import {
  extendGraph,
  isLive,
  runTotals,
  type Run,
  type StepGraph,
} from "../runs/run-detail/graph-model";
import { runGraphQuery, useRunUpdater, type RunGraphResponse } from "../runs/run-detail/hooks";
import { useRunEvents } from "../runs/run-detail/run-events";
import { noAnswerYet, withDelta, type StreamedAnswer } from "./answer-stream";

/** What a playground run asks for, besides its mode (always `background`). */
export type RunRequest = Omit<Schemas["RunCreate"], "mode" | "timeout_seconds">;

/** The most agents the picker lists (the API's largest page). */
const AGENT_CHOICES = 200;

/** A thread's runs are read in pages of the API's largest size, up to this many pages. */
const THREAD_PAGE_SIZE = 200;
const THREAD_PAGES = 5;

/** The workspace's active agents, by name, to choose the one tried. */
export function useActiveAgents(workspaceId: string) {
  return useQuery({
    queryKey: [...agentsKey(workspaceId), "playground-choices"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents", {
          params: {
            path: { workspace_id: workspaceId },
            query: { status: "active", sort: "name", limit: AGENT_CHOICES },
          },
          signal,
        }),
      ),
    select: (page) => page.items,
  });
}

/** A conversation: its runs, oldest first, and whether its first run was among them. */
export interface Thread {
  runs: Run[];
  complete: boolean;
}

function threadKey(workspaceId: string, agentId: string, threadId: string) {
  return [...runsKey(workspaceId), "thread", agentId, threadId] as const;
}

/**
 * The runs of a thread, oldest first, through the runs list's thread filter. A thread
 * longer than `THREAD_PAGES × THREAD_PAGE_SIZE` runs comes back with its first turns
 * only (`complete: false`).
 */
export function threadQuery(workspaceId: string, agentId: string, threadId: string) {
  return queryOptions({
    queryKey: threadKey(workspaceId, agentId, threadId),
    queryFn: async ({ signal }): Promise<Thread> => {
      const found: Run[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < THREAD_PAGES; page += 1) {
        const runs: Schemas["RunPage"] = await unwrap(
          api.GET("/api/v1/workspaces/{workspace_id}/runs", {
            params: {
              path: { workspace_id: workspaceId },
              query: {
                agent_id: agentId,
                thread_id: threadId,
                sort: "created_at",
                limit: THREAD_PAGE_SIZE,
                ...(cursor ? { cursor } : {}),
              },
            },
            signal,
          }),
        );
        found.push(...runs.items);
        cursor = runs.next_cursor;
        if (cursor === null) {
          return { runs: found, complete: found.some((run) => run.id === threadId) };
        }
      }
      return { runs: found, complete: false };
    },
  });
}

async function startRun(workspaceId: string, agentId: string, request: RunRequest): Promise<Run> {
  const started = await unwrap(
    api.POST("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/runs", {
      params: { path: { workspace_id: workspaceId, agent_id: agentId } },
      body: { ...request, mode: "background" },
    }),
  );
  if (typeof started === "string" || "event" in started) {
    throw new Error("The run started as a stream; a run in the background was expected.");
  }
  return started;
}

/**
 * Keeps a run that has just started as its graph, with no steps yet: its event stream
 * sends every step from the first, so the run is followed without fetching it first.
 */
function keepStartedRun(queryClient: QueryClient, workspaceId: string, run: Run) {
  const graph: RunGraphResponse = { run, nodes: [], edges: [] };
  queryClient.setQueryData(runGraphQuery(workspaceId, run.id).queryKey, graph);
}

/** Sends a message of a conversation: a run of the agent, added to its thread. */
export function useSendMessage(workspaceId: string, agentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: RunRequest) => startRun(workspaceId, agentId, request),
    onSuccess: (run) => {
      keepStartedRun(queryClient, workspaceId, run);
      const thread = run.thread_id ?? run.id;
      queryClient.setQueryData<Thread>(threadKey(workspaceId, agentId, thread), (earlier) => ({
        runs: [...(earlier?.runs ?? []).filter((other) => other.id !== run.id), run],
        complete: earlier?.complete ?? true,
      }));
    },
  });
}

/** Runs the agent twice on one input, one run per side of a comparison. */
export function useCompareRuns(workspaceId: string, agentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ([left, right]: [RunRequest, RunRequest]) =>
      Promise.all([startRun(workspaceId, agentId, left), startRun(workspaceId, agentId, right)]),
    onSuccess: (runs) => {
      for (const run of runs) {
        keepStartedRun(queryClient, workspaceId, run);
      }
    },
  });
}

const NO_GRAPH: StepGraph = { steps: [], edges: [] };

/**
 * A run as it happens, as the run page follows it: its graph, extended by the steps its
 * event stream sends while it is live, and the answer its model is streaming. `runId`
 * null: no run yet.
 */
export function useLiveRun(workspaceId: string, runId: string | null) {
  const graph = useQuery({
    ...runGraphQuery(workspaceId, runId ?? ""),
    enabled: runId !== null,
  });
  const run = runId === null ? undefined : graph.data?.run;
  const updateRun = useRunUpdater(workspaceId, runId ?? "");
  const [answer, setAnswer] = useState<StreamedAnswer>(() => noAnswerYet(runId ?? ""));
  const events = useRunEvents({
    workspaceId,
    runId: runId ?? "",
    enabled: run !== undefined && isLive(run),
    onEnd: (ended) => {
      // The run's output is the answer now; a run paused for approvals starts afresh.
      setAnswer(noAnswerYet(ended.id));
      void updateRun(ended);
    },
    onDelta: (delta) => {
      setAnswer((current) =>
        withDelta(current.runId === runId ? current : noAnswerYet(runId ?? ""), delta),
      );
    },
  });
  const snapshot = runId === null ? undefined : graph.data;
  const steps = useMemo(
    () =>
      snapshot
        ? extendGraph({ steps: snapshot.nodes, edges: snapshot.edges }, events.streamed)
        : NO_GRAPH,
    [snapshot, events.streamed],
  );
  const totals = useMemo(() => (run ? runTotals(run, steps.steps) : null), [run, steps.steps]);
  return {
    query: graph,
    run,
    steps,
    totals,
    stream: events.state,
    streamedText: answer.runId === runId ? answer.text : "",
  };
}

export type LiveRun = ReturnType<typeof useLiveRun>;
