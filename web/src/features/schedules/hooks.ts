import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";

export type Schedule = Schemas["ScheduleOut"];
export type NewSchedule = Schemas["ScheduleCreate"];

function schedulesKey(workspaceId: string) {
  return ["workspaces", workspaceId, "schedules"] as const;
}

export function useSchedules(workspaceId: string, cursor: string | null) {
  return useQuery({
    queryKey: [...schedulesKey(workspaceId), cursor] as const,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/schedules", {
          params: {
            path: { workspace_id: workspaceId },
            query: { limit: 25, ...(cursor ? { cursor } : {}) },
          },
          signal,
        }),
      ),
  });
}

export function useCreateSchedule(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewSchedule) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/schedules", {
          params: { path: { workspace_id: workspaceId } },
          body,
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: schedulesKey(workspaceId) }),
  });
}

/** Pauses or resumes a schedule. */
export function useSetPaused(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, paused }: { id: string; paused: boolean }) =>
      unwrap(
        api.PATCH("/api/v1/workspaces/{workspace_id}/schedules/{schedule_id}", {
          params: { path: { workspace_id: workspaceId, schedule_id: id } },
          body: { paused },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: schedulesKey(workspaceId) }),
  });
}

export function useDeleteSchedule(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/schedules/{schedule_id}", {
          params: { path: { workspace_id: workspaceId, schedule_id: id } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: schedulesKey(workspaceId) }),
  });
}

/** The workspace's agents and chains a schedule may run, for its form. */
export function useTargets(workspaceId: string) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "schedule-targets"] as const,
    queryFn: async ({ signal }) => {
      const [agents, chains] = await Promise.all([
        unwrap(
          api.GET("/api/v1/workspaces/{workspace_id}/agents", {
            params: { path: { workspace_id: workspaceId }, query: { limit: 200 } },
            signal,
          }),
        ),
        unwrap(
          api.GET("/api/v1/workspaces/{workspace_id}/chains", {
            params: { path: { workspace_id: workspaceId }, query: { limit: 200 } },
            signal,
          }),
        ),
      ]);
      return {
        agents: agents.items.map((agent) => ({ id: agent.id, name: agent.name })),
        chains: chains.items.map((chain) => ({ id: chain.id, name: chain.name })),
      };
    },
  });
}
