import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";

export type RunShare = Schemas["ShareOut"];
export type CreatedRunShare = Schemas["ShareCreated"];
export type SharedRun = Schemas["SharedRunOut"];
export type SharedRunGraphResponse = Schemas["SharedRunGraph"];

/** The run's public links, revoked and expired ones included. */
export function runSharesQuery(workspaceId: string, runId: string) {
  return queryOptions({
    queryKey: ["workspaces", workspaceId, "runs", runId, "shares"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/runs/{run_id}/shares", {
          params: { path: { workspace_id: workspaceId, run_id: runId } },
          signal,
        }),
      ).then((page) => page.items),
  });
}

export function useRunShares(workspaceId: string, runId: string) {
  return useQuery(runSharesQuery(workspaceId, runId));
}

export function useCreateRunShare(workspaceId: string, runId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["ShareCreate"]) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/runs/{run_id}/shares", {
          params: { path: { workspace_id: workspaceId, run_id: runId } },
          body,
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: runSharesQuery(workspaceId, runId).queryKey }),
  });
}

export function useRevokeRunShare(workspaceId: string, runId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (shareId: string) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/runs/{run_id}/shares/{share_id}", {
          params: { path: { workspace_id: workspaceId, run_id: runId, share_id: shareId } },
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: runSharesQuery(workspaceId, runId).queryKey }),
  });
}

/** The run a public link shows, as a graph of its redacted steps. No session needed. */
export function useSharedRunGraph(token: string) {
  return useQuery({
    queryKey: ["shared-runs", token, "graph"] as const,
    // A link that does not work will not start working by asking again.
    retry: false,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/shared/runs/{token}/graph", {
          params: { path: { token } },
          signal,
        }),
      ),
  });
}

/** How long a new link works, in days; `null` until revoked. */
export const SHARE_EXPIRY_CHOICES: readonly { days: number | null; label: string }[] = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "A year" },
  { days: null, label: "Until revoked" },
];

export type RunShareStatus = "active" | "expired" | "revoked";

export function runShareStatus(share: RunShare): RunShareStatus {
  if (share.revoked_at) {
    return "revoked";
  }
  return share.active ? "active" : "expired";
}
