import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import { sessionsQuery } from "../account/hooks";
import { meQueryKey } from "../session/use-me";
import { writeConsentCookie, type CookieChoice } from "./consent-cookie";

export type ToolSettings = Schemas["ToolSettings"];

/** Changes the password; the other sessions end, and this one gets a new id. */
export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["ChangePassword"]) =>
      unwrap(api.POST("/api/v1/me/password", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsQuery.queryKey }),
  });
}

/** Sends a confirmation link to a new address; the address changes when it is opened. */
export function useChangeEmail() {
  return useMutation({
    mutationFn: (body: Schemas["ChangeEmail"]) => unwrap(api.POST("/api/v1/me/email", { body })),
  });
}

/** Deletes the signed-in user's account; the server ends the session. */
export function useDeleteAccount() {
  return useMutation({
    mutationFn: (body: Schemas["AccountDeletion"]) => unwrap(api.DELETE("/api/v1/me", { body })),
  });
}

export const consentQuery = queryOptions({
  queryKey: ["me", "consent"] as const,
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/me/consent", { signal })),
});

export function useConsent() {
  return useQuery(consentQuery);
}

/** Stores the cookie choice on the account and in this browser's consent cookie. */
export function useSaveConsent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (choice: CookieChoice) => unwrap(api.PUT("/api/v1/me/consent", { body: choice })),
    onSuccess: (saved) => {
      if (saved.choice) {
        writeConsentCookie(saved.choice);
      }
      queryClient.setQueryData(consentQuery.queryKey, saved);
    },
  });
}

export function toolSettingsQuery(workspaceId: string) {
  return queryOptions({
    queryKey: ["workspaces", workspaceId, "tool-settings"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/tool-settings", {
          params: { path: { workspace_id: workspaceId } },
          signal,
        }),
      ),
  });
}

export function useToolSettings(workspaceId: string) {
  return useQuery(toolSettingsQuery(workspaceId));
}

export function useSaveToolSettings(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["ToolSettingsUpdate"]) =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace_id}/tool-settings", {
          params: { path: { workspace_id: workspaceId } },
          body,
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(toolSettingsQuery(workspaceId).queryKey, saved);
    },
  });
}

/** Changes the signed-in user's display name. */
export function useChangeDisplayName() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.PATCH("/api/v1/me", { body: { display_name: name } })),
    onSuccess: (me) => {
      queryClient.setQueryData(meQueryKey, me);
    },
  });
}

/** Renames the workspace (owners and admins). */
export function useRenameWorkspace(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(
        api.PATCH("/api/v1/workspaces/{workspace_id}", {
          params: { path: { workspace_id: workspaceId } },
          body: { name },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}

/** Renames the team (owners and admins). */
export function useRenameTeam(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(
        api.PATCH("/api/v1/teams/{team_id}", {
          params: { path: { team_id: teamId } },
          body: { name },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}

/** Adds a workspace to a team (owners and admins); the account then lists it. */
export function useCreateWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["WorkspaceCreate"]) =>
      unwrap(api.POST("/api/v1/workspaces", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}
