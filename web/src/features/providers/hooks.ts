import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import type { ProviderListView } from "./list-view";

export type Provider = Schemas["ProviderOut"];
export type ProviderKind = Provider["kind"];
export type ProviderCheck = Schemas["ProviderCheckOut"];

/** How many providers a page of the table holds. */
export const PROVIDERS_PAGE_SIZE = 25;

/** Every list of the workspace's providers, whatever its page: what a change invalidates. */
export function providersKey(workspaceId: string) {
  return ["workspaces", workspaceId, "providers"] as const;
}

/** One page of the workspace's providers, sorted by the server. */
export function providersQuery(workspaceId: string, view: ProviderListView) {
  const cursor = view.cursors.at(-1) ?? null;
  return queryOptions({
    queryKey: [...providersKey(workspaceId), { sort: view.sort, cursor }] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/providers", {
          params: {
            path: { workspace_id: workspaceId },
            query: {
              sort: view.sort,
              limit: PROVIDERS_PAGE_SIZE,
              ...(cursor ? { cursor } : {}),
            },
          },
          signal,
        }),
      ),
  });
}

/** The page of providers the view asks for; the previous page stays shown while it loads. */
export function useProviders(workspaceId: string, view: ProviderListView) {
  return useQuery({ ...providersQuery(workspaceId, view), placeholderData: keepPreviousData });
}

export function useCreateProvider(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["ProviderCreate"]) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/providers", {
          params: { path: { workspace_id: workspaceId } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: providersKey(workspaceId) }),
  });
}

/** Makes a provider the workspace's default, in place of the former one. */
export function useMakeDefaultProvider(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (provider: Provider) =>
      unwrap(
        api.PATCH("/api/v1/workspaces/{workspace_id}/providers/{provider_id}", {
          params: { path: { workspace_id: workspaceId, provider_id: provider.id } },
          body: { is_default: true },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: providersKey(workspaceId) }),
  });
}

export function useDeleteProvider(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (provider: Provider) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/providers/{provider_id}", {
          params: { path: { workspace_id: workspaceId, provider_id: provider.id } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: providersKey(workspaceId) }),
  });
}

/** Probes a provider with its stored key; the list then shows the outcome as its last check. */
export function useCheckProvider(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (provider: Provider) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/providers/{provider_id}/check", {
          params: { path: { workspace_id: workspaceId, provider_id: provider.id } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: providersKey(workspaceId) }),
  });
}

export type ProviderChanges = Schemas["ProviderUpdate"];

/** Saves changes to a provider. */
export function useUpdateProvider(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ provider, changes }: { provider: Provider; changes: ProviderChanges }) =>
      unwrap(
        api.PATCH("/api/v1/workspaces/{workspace_id}/providers/{provider_id}", {
          params: { path: { workspace_id: workspaceId, provider_id: provider.id } },
          body: changes,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: providersKey(workspaceId) }),
  });
}

/**
 * Probes a provider as it would be with changes (its address, its key), saving nothing:
 * the edit form's check, and the models its picker offers.
 */
export function useCheckProviderChanges(workspaceId: string) {
  return useMutation({
    mutationFn: ({ provider, changes }: { provider: Provider; changes: ProviderChanges }) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/providers/{provider_id}/check-changes", {
          params: { path: { workspace_id: workspaceId, provider_id: provider.id } },
          body: changes,
        }),
      ),
  });
}
