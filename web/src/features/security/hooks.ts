import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";

import { ApiProblem, api, unwrap, type Schemas } from "../../api/client";
import type { AuditLogView } from "./audit-view";

export type MfaStatus = Schemas["MfaStatusOut"];
export type TotpEnrolment = Schemas["TotpEnrolmentOut"];
export type SsoConfig = Schemas["SsoConfigOut"];
export type SsoConfigBody = Schemas["SsoConfigIn"];
export type AuditEvent = Schemas["AuditEventOut"];

export const mfaStatusQuery = queryOptions({
  queryKey: ["me", "mfa"] as const,
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/auth/mfa", { signal })),
});

export function useMfaStatus() {
  return useQuery(mfaStatusQuery);
}

function useMfaChanged() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: mfaStatusQuery.queryKey });
}

/** A new authenticator seed, waiting for a first code (it replaces one never confirmed). */
export function useEnrolTotp() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/mfa/totp/enrol")),
  });
}

/** Turns two-factor authentication on; answers the recovery codes, shown this once. */
export function useConfirmTotp() {
  const mfaChanged = useMfaChanged();
  return useMutation({
    mutationFn: (code: string) =>
      unwrap(api.POST("/api/v1/auth/mfa/totp/confirm", { body: { code } })),
    onSuccess: () => mfaChanged(),
  });
}

/** Replaces every recovery code (needs a recent step-up). */
export function useRegenerateRecoveryCodes() {
  const mfaChanged = useMfaChanged();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/mfa/recovery-codes")),
    onSuccess: () => mfaChanged(),
  });
}

/** Turns two-factor authentication off (needs the password and a recent step-up). */
export function useDisableTotp() {
  const mfaChanged = useMfaChanged();
  return useMutation({
    mutationFn: (password: string) =>
      unwrap(api.DELETE("/api/v1/auth/mfa/totp", { body: { password } })),
    onSuccess: () => mfaChanged(),
  });
}

/** Proves the second factor again, for ten minutes of sensitive actions in this session. */
export function useStepUp() {
  return useMutation({
    mutationFn: (body: Schemas["MfaProof"]) =>
      unwrap(api.POST("/api/v1/auth/mfa/step-up", { body })),
  });
}

export function ssoConfigQuery(teamId: string) {
  return queryOptions({
    queryKey: ["teams", teamId, "sso"] as const,
    /** The team's configuration, or null when it has none (the API answers 404). */
    queryFn: async ({ signal }): Promise<SsoConfig | null> => {
      try {
        return await unwrap(
          api.GET("/api/v1/teams/{team_id}/sso", {
            params: { path: { team_id: teamId } },
            signal,
          }),
        );
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 404) {
          return null;
        }
        throw error;
      }
    },
  });
}

/** Owners and admins only: the query waits until `enabled`. */
export function useSsoConfig(teamId: string, enabled: boolean) {
  return useQuery({ ...ssoConfigQuery(teamId), enabled });
}

export function useSaveSsoConfig(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SsoConfigBody) =>
      unwrap(
        api.PUT("/api/v1/teams/{team_id}/sso", {
          params: { path: { team_id: teamId } },
          body,
        }),
      ),
    onSuccess: (config) => {
      queryClient.setQueryData(ssoConfigQuery(teamId).queryKey, config);
    },
  });
}

export function useRemoveSsoConfig(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/v1/teams/{team_id}/sso", {
          params: { path: { team_id: teamId } },
        }),
      ),
    onSuccess: () => {
      queryClient.setQueryData(ssoConfigQuery(teamId).queryKey, null);
    },
  });
}

export function auditLogQuery(teamId: string, view: AuditLogView) {
  const cursor = view.cursors.at(-1) ?? null;
  return queryOptions({
    queryKey: [
      "teams",
      teamId,
      "audit-log",
      { action: view.action, limit: view.limit, cursor },
    ] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/teams/{team_id}/audit-log", {
          params: {
            path: { team_id: teamId },
            query: {
              limit: view.limit,
              ...(view.action ? { action: view.action } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
          signal,
        }),
      ),
  });
}

/** One page of the team's audit log; the previous page stays shown while the next loads. */
export function useAuditLog(teamId: string, view: AuditLogView, enabled: boolean) {
  return useQuery({ ...auditLogQuery(teamId, view), placeholderData: keepPreviousData, enabled });
}
