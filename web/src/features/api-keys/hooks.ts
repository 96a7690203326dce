import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";

export type ApiKey = Schemas["ApiKeyOut"];
export type CreatedApiKey = Schemas["ApiKeyCreated"];

export function apiKeysQuery(workspaceId: string) {
  return queryOptions({
    queryKey: ["workspaces", workspaceId, "api-keys"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/api-keys", {
          params: { path: { workspace_id: workspaceId } },
          signal,
        }),
      ).then((page) => page.items),
  });
}

export function useApiKeys(workspaceId: string) {
  return useQuery(apiKeysQuery(workspaceId));
}

export function useCreateApiKey(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["ApiKeyCreate"]) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/api-keys", {
          params: { path: { workspace_id: workspaceId } },
          body,
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: apiKeysQuery(workspaceId).queryKey }),
  });
}

export function useRevokeApiKey(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/api-keys/{key_id}", {
          params: { path: { workspace_id: workspaceId, key_id: keyId } },
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: apiKeysQuery(workspaceId).queryKey }),
  });
}

/** A second factor proven again, for creating a key with the `admin` scope. */
export function useStepUp() {
  return useMutation({
    mutationFn: (body: Schemas["MfaProof"]) =>
      unwrap(api.POST("/api/v1/auth/mfa/step-up", { body })),
  });
}

export type ApiKeyStatus = "active" | "expired" | "revoked";

export function apiKeyStatus(key: ApiKey, now: Date = new Date()): ApiKeyStatus {
  if (key.revoked_at) {
    return "revoked";
  }
  if (key.expires_at && new Date(key.expires_at).getTime() <= now.getTime()) {
    return "expired";
  }
  return "active";
}
