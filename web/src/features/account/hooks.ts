import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";

export type BrowserSession = Schemas["SessionOut"];

export const sessionsQuery = queryOptions({
  queryKey: ["me", "sessions"] as const,
  queryFn: ({ signal }) =>
    unwrap(api.GET("/api/v1/me/sessions", { signal })).then((page) => page.items),
});

export function useSessions() {
  return useQuery(sessionsQuery);
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) =>
      unwrap(
        api.DELETE("/api/v1/me/sessions/{session_id}", {
          params: { path: { session_id: sessionId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionsQuery.queryKey }),
  });
}

/** Signs out every session of the user, this one included. */
export function useSignOutEverywhere() {
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/me/sessions")),
  });
}
