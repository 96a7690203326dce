import { useOutletContext } from "react-router";

import type { Team, Workspace } from "../session/use-me";

export interface CurrentWorkspace {
  team: Team;
  workspace: Workspace;
}

/** The workspace in the URL (`/w/:workspaceId/...`), for pages inside the shell. */
export function useCurrentWorkspace(): CurrentWorkspace {
  return useOutletContext<CurrentWorkspace>();
}
