import {
  hashKey,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../../api/client";
import { agentsKey, type AgentDetail } from "../hooks";

export type AgentDefinition = Schemas["AgentDefinition"];
export type AgentUpdate = Schemas["AgentUpdate"];
export type AgentVersion = Schemas["AgentVersionOut"];
export type ToolChoice = Schemas["ToolChoice"];
export type ToolName = ToolChoice["name"];
export type Provider = Schemas["ProviderOut"];
export type Member = Schemas["MemberOut"];

/** How many versions a page of the history holds. */
export const VERSIONS_PAGE_SIZE = 50;

/** The agent, and under it everything about it that changes when it does. */
export function agentKey(workspaceId: string, agentId: string) {
  return [...agentsKey(workspaceId), agentId] as const;
}

export function agentQuery(workspaceId: string, agentId: string) {
  return queryOptions({
    queryKey: agentKey(workspaceId, agentId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId } },
          signal,
        }),
      ),
  });
}

export function useAgent(workspaceId: string, agentId: string) {
  return useQuery(agentQuery(workspaceId, agentId));
}

/** The agent's versions, newest first, a page at a time. */
export function useAgentVersions(workspaceId: string, agentId: string) {
  return useInfiniteQuery({
    queryKey: [...agentKey(workspaceId, agentId), "versions"] as const,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/versions", {
          params: {
            path: { workspace_id: workspaceId, agent_id: agentId },
            query: { limit: VERSIONS_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
  });
}

/** One version with its definition. Versions never change, so one fetch is enough. */
export function useAgentVersion(workspaceId: string, agentId: string, number: number | null) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "agent-versions", agentId, number] as const,
    enabled: number !== null,
    staleTime: Infinity,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/versions/{number}", {
          params: {
            path: { workspace_id: workspaceId, agent_id: agentId, number: number ?? 0 },
          },
          signal,
        }),
      ),
  });
}

/**
 * Keeps the agent the API answered, and refreshes what depends on it (lists, versions)
 * without fetching the agent itself again.
 */
function keepAgent(queryClient: QueryClient, workspaceId: string, agent: AgentDetail) {
  const key = agentKey(workspaceId, agent.id);
  queryClient.setQueryData(key, agent);
  const kept = hashKey(key);
  void queryClient.invalidateQueries({
    queryKey: agentsKey(workspaceId),
    predicate: (query) => query.queryHash !== kept,
  });
}

/** Changes the agent; a changed definition becomes a new version. */
export function useUpdateAgent(workspaceId: string, agentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: AgentUpdate) =>
      unwrap(
        api.PATCH("/api/v1/workspaces/{workspace_id}/agents/{agent_id}", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId } },
          body: changes,
        }),
      ),
    onSuccess: (agent) => {
      keepAgent(queryClient, workspaceId, agent);
    },
  });
}

interface Restore {
  number: number;
  /** The agent's current version when the person chose to restore. */
  expectedVersion: number;
}

/** Makes an earlier version's definition the agent's new, current version. */
export function useRestoreVersion(workspaceId: string, agentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ number, expectedVersion }: Restore) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/versions/{number}/restore", {
          params: {
            path: { workspace_id: workspaceId, agent_id: agentId, number },
            header: { "if-match": `"${expectedVersion}"` },
          },
        }),
      ),
    onSuccess: (agent) => {
      keepAgent(queryClient, workspaceId, agent);
    },
  });
}

export function useDeleteAgent(workspaceId: string, agentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/agents/{agent_id}", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId } },
        }),
      ),
    onSuccess: () => {
      // The lists drop it; the agent itself is not fetched again (it would be a 404).
      void queryClient.invalidateQueries({
        queryKey: agentsKey(workspaceId),
        predicate: (query) => query.queryKey[3] !== agentId,
      });
    },
  });
}

/** The workspace's providers, to choose the one that runs the agent. */
export function useProviderChoices(workspaceId: string) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "providers", { limit: 200 }] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/providers", {
          params: { path: { workspace_id: workspaceId }, query: { limit: 200 } },
          signal,
        }),
      ),
    select: (page) => page.items,
  });
}

/** The team's members, to name who made each version. */
export function useTeamMembers(teamId: string) {
  return useQuery({
    queryKey: ["teams", teamId, "members"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/teams/{team_id}/members", {
          params: { path: { team_id: teamId } },
          signal,
        }),
      ).then((page) => page.items),
    retry: false,
  });
}
