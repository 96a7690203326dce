import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";

export type Me = Schemas["Me"];
export type Team = Schemas["TeamOut"];
export type Workspace = Schemas["WorkspaceOut"];

export const meQueryKey = ["me"] as const;

export const meQuery = queryOptions({
  queryKey: meQueryKey,
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/me", { signal })),
  staleTime: 60_000,
});

/** The signed-in user with their teams and workspaces (401 when signed out). */
export function useMe() {
  return useQuery(meQuery);
}

/** The signed-in user, inside pages guarded by `RequireSession`. */
export function useSignedInMe(): Me {
  const { data } = useMe();
  if (!data) {
    throw new Error("useSignedInMe is only for pages inside RequireSession");
  }
  return data;
}

/** Where a signed-in user starts: their first workspace. */
export function homePath(me: Me): string {
  const first = me.teams.flatMap((team) => team.workspaces)[0];
  return first ? `/w/${first.id}` : "/no-workspace";
}

/** A workspace of the user's and the team that owns it, or null when they have no such. */
export function findWorkspace(
  me: Me,
  workspaceId: string | undefined,
): { team: Team; workspace: Workspace } | null {
  for (const team of me.teams) {
    const workspace = team.workspaces.find((candidate) => candidate.id === workspaceId);
    if (workspace) {
      return { team, workspace };
    }
  }
  return null;
}
