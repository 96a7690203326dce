import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../api/client";
import { meQueryKey } from "../session/use-me";

/** Creates (or finds) the team's demo workspace; the signed-in user's teams are reloaded. */
export function useSeedDemo(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/teams/{team_id}/demo", { params: { path: { team_id: teamId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}

/** Deletes the team's demo workspace and everything in it. */
export function useRemoveDemo(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/api/v1/teams/{team_id}/demo", { params: { path: { team_id: teamId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}
