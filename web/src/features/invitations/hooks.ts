import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../api/client";
import { meQueryKey } from "../session/use-me";

/** Joins the team of an emailed invitation, as the signed-in user. */
export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (token: string) =>
      unwrap(api.POST("/api/v1/invitations/accept", { body: { token } })),
    // The new team and its workspaces belong in the workspace switcher.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}
