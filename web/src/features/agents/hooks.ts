import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import type { AgentListView } from "./list-view";

export type Agent = Schemas["AgentOut"];
export type AgentDetail = Schemas["AgentDetail"];
export type CatalogAgent = Schemas["CatalogAgentSummary"];
export type CatalogCategory = CatalogAgent["category"];

/** How many agents a page of the table holds. */
export const AGENTS_PAGE_SIZE = 25;

/** Every list of the workspace's agents, whatever its filters: what a change invalidates. */
export function agentsKey(workspaceId: string) {
  return ["workspaces", workspaceId, "agents"] as const;
}

/** One page of the workspace's agents, filtered and sorted by the server. */
export function agentsQuery(workspaceId: string, view: AgentListView) {
  const cursor = view.cursors.at(-1) ?? null;
  return queryOptions({
    queryKey: [
      ...agentsKey(workspaceId),
      { status: view.status, q: view.q, sort: view.sort, cursor },
    ] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents", {
          params: {
            path: { workspace_id: workspaceId },
            query: {
              status: view.status,
              limit: AGENTS_PAGE_SIZE,
              ...(view.q ? { q: view.q } : {}),
              ...(view.sort ? { sort: view.sort } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
          signal,
        }),
      ),
  });
}

/** The page of agents the view asks for; the previous page stays shown while it loads. */
export function useAgents(workspaceId: string, view: AgentListView) {
  return useQuery({ ...agentsQuery(workspaceId, view), placeholderData: keepPreviousData });
}

export interface CatalogFilter {
  q: string;
  category: CatalogCategory | null;
}

export function catalogQuery({ q, category }: CatalogFilter) {
  return queryOptions({
    queryKey: ["catalog", "agents", { q, category }] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/catalog/agents", {
          params: { query: { ...(q ? { q } : {}), ...(category ? { category } : {}) } },
          signal,
        }),
      ).then((page) => page.items),
    staleTime: 10 * 60_000,
  });
}

export function useCatalog(filter: CatalogFilter) {
  return useQuery({ ...catalogQuery(filter), placeholderData: keepPreviousData });
}

/** Creates an agent as a copy of a catalog agent, under its own name when one is given. */
export function useCreateAgentFromCatalog(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ template, name }: { template: string; name: string }) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/agents", {
          params: { path: { workspace_id: workspaceId } },
          body: name ? { template, name } : { template },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: agentsKey(workspaceId) }),
  });
}
