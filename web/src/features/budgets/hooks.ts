import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import { agentsKey } from "../agents/hooks";
import { runsKey } from "../runs/hooks";

export type Budget = Schemas["BudgetOut"];
export type BudgetScope = Schemas["BudgetScope"];
export type NewBudget = Schemas["BudgetCreate"];
export type BudgetChanges = Schemas["BudgetUpdate"];
export type KillSwitch = Schemas["KillSwitchOut"];

function budgetsKey(workspaceId: string) {
  return ["workspaces", workspaceId, "budgets"] as const;
}

function killSwitchKey(workspaceId: string) {
  return ["workspaces", workspaceId, "kill-switch"] as const;
}

export function useBudgets(workspaceId: string, cursor: string | null) {
  return useQuery({
    queryKey: [...budgetsKey(workspaceId), "list", cursor] as const,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/budgets", {
          params: {
            path: { workspace_id: workspaceId },
            query: { limit: 25, ...(cursor ? { cursor } : {}) },
          },
          signal,
        }),
      ),
  });
}

/**
 * The workspace's agents (archived ones too, so that a budget still names its agent), for
 * naming a budget's subject and for picking one.
 */
export function useBudgetAgents(workspaceId: string) {
  return useQuery({
    queryKey: [...agentsKey(workspaceId), "budget-subjects"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents", {
          params: { path: { workspace_id: workspaceId }, query: { status: "all", limit: 200 } },
          signal,
        }),
      ).then((page) => page.items),
  });
}

export function useCreateBudget(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewBudget) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/budgets", {
          params: { path: { workspace_id: workspaceId } },
          body,
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: budgetsKey(workspaceId) }),
  });
}

/** Changes a budget's limits; `null` removes one. */
export function useUpdateBudget(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: BudgetChanges }) =>
      unwrap(
        api.PATCH("/api/v1/workspaces/{workspace_id}/budgets/{budget_id}", {
          params: { path: { workspace_id: workspaceId, budget_id: id } },
          body: changes,
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: budgetsKey(workspaceId) }),
  });
}

export function useDeleteBudget(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/budgets/{budget_id}", {
          params: { path: { workspace_id: workspaceId, budget_id: id } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: budgetsKey(workspaceId) }),
  });
}

export function useKillSwitch(workspaceId: string) {
  return useQuery({
    queryKey: killSwitchKey(workspaceId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/kill-switch", {
          params: { path: { workspace_id: workspaceId } },
          signal,
        }),
      ),
  });
}

/**
 * Stops every run and chain run of the workspace. The answer (with how many it stopped,
 * which only this answer tells) becomes the switch's state.
 */
export function useEngageKillSwitch(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace_id}/kill-switch", {
          params: { path: { workspace_id: workspaceId } },
          body: { reason },
        }),
      ),
    onSuccess: (answer) => {
      queryClient.setQueryData(killSwitchKey(workspaceId), answer);
      void queryClient.invalidateQueries({ queryKey: runsKey(workspaceId) });
    },
  });
}

export function useLiftKillSwitch(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/kill-switch", {
          params: { path: { workspace_id: workspaceId } },
        }),
      ),
    onSuccess: (answer) => {
      queryClient.setQueryData(killSwitchKey(workspaceId), answer);
    },
  });
}
