import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../../api/client";
import { runsKey } from "../hooks";
import type { Run } from "./graph-model";

export type RunGraphResponse = Schemas["RunGraph"];
export type Approval = Schemas["ApprovalOut"];

function runKey(workspaceId: string, runId: string) {
  return [...runsKey(workspaceId), runId] as const;
}

/** The run with its steps as nodes and their causal edges. */
export function runGraphQuery(workspaceId: string, runId: string) {
  return queryOptions({
    queryKey: [...runKey(workspaceId, runId), "graph"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/runs/{run_id}/graph", {
          params: { path: { workspace_id: workspaceId, run_id: runId } },
          signal,
        }),
      ),
  });
}

export function useRunGraph(workspaceId: string, runId: string) {
  return useQuery(runGraphQuery(workspaceId, runId));
}

/** The agent's name, for the page's header; the run shows its agent id without it. */
export function useAgentName(workspaceId: string, agentId: string | undefined) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "agents", agentId, "name"] as const,
    enabled: agentId !== undefined,
    retry: false,
    queryFn: async ({ signal }) => {
      const agent = await unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId ?? "" } },
          signal,
        }),
      );
      return agent.name;
    },
  });
}

/**
 * Keeps a run the API answered (its stream's `end`, a cancel, a decision) as the page's
 * run, then fetches the graph again for the edges and steps the server has.
 */
export function useRunUpdater(workspaceId: string, runId: string) {
  const queryClient = useQueryClient();
  return async (run: Run) => {
    const { queryKey } = runGraphQuery(workspaceId, runId);
    queryClient.setQueryData(queryKey, (graph) => (graph ? { ...graph, run } : graph));
    await queryClient.invalidateQueries({ queryKey: runsKey(workspaceId) });
  };
}

export function useCancelRun(workspaceId: string, runId: string) {
  const update = useRunUpdater(workspaceId, runId);
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/runs/{run_id}/cancel", {
          params: { path: { workspace_id: workspaceId, run_id: runId } },
        }),
      ),
    onSuccess: update,
  });
}

/** The tool calls the run paused on, while it waits for a decision. */
export function useApprovals(workspaceId: string, runId: string) {
  return useQuery({
    queryKey: [...runKey(workspaceId, runId), "approvals"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/runs/{run_id}/approvals", {
          params: { path: { workspace_id: workspaceId, run_id: runId } },
          signal,
        }),
      ).then((page) => page.items),
  });
}

export function useDecideApproval(workspaceId: string, runId: string) {
  const update = useRunUpdater(workspaceId, runId);
  return useMutation({
    mutationFn: (decision: Schemas["ApprovalDecision"]) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/runs/{run_id}/approvals", {
          params: { path: { workspace_id: workspaceId, run_id: runId } },
          body: { decisions: [decision] },
        }),
      ),
    onSuccess: update,
  });
}
