import type { ReactElement } from "react";
import { Outlet, type RouteObject } from "react-router";

import type { Schemas } from "../api/client";
import { RequireSession } from "../features/session/RequireSession";
import type { CurrentWorkspace } from "../features/shell/use-current-workspace";
import { fakeApi, json } from "./fake-api";
import { me } from "./fixtures";
import { renderRoutes } from "./render";

/** The fake API's answers, by `METHOD path`. */
export type Answers = Parameters<typeof fakeApi>[0];

interface WorkspacePageOptions {
  /** The page's path under `/w/:workspaceId`, such as `settings`. */
  path: string;
  element: ReactElement;
  /** The signed-in Ada's role in her team. */
  role: string;
  /** The API's answers, besides `GET /api/v1/me` (which gives Ada with `role`). */
  answers: Answers;
  /** Other routes, to land on after a navigation. */
  otherRoutes?: RouteObject[];
}

/**
 * A workspace page as the signed-in Ada sees it, behind `RequireSession` and given her
 * first team's first workspace as the current one; it starts at `/w/ws_1/<path>`.
 */
export function renderWorkspacePage({
  path,
  element,
  role,
  answers,
  otherRoutes = [],
}: WorkspacePageOptions) {
  const team = { ...me.teams[0], role } as Schemas["TeamOut"];
  const current = { team, workspace: team.workspaces[0] } as CurrentWorkspace;
  const requests = fakeApi({
    "GET /api/v1/me": json({ ...me, teams: [team] }),
    ...answers,
  });
  const view = renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: (
          <RequireSession>
            <Outlet context={current} />
          </RequireSession>
        ),
        children: [{ path, element }],
      },
      ...otherRoutes,
    ],
    `/w/ws_1/${path}`,
  );
  return { ...view, requests };
}
