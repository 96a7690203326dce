import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import type { RunListView } from "./list-view";

export type Run = Schemas["RunOut"];

/** How many runs a page of the table holds. */
export const RUNS_PAGE_SIZE = 25;

/** Every list of the workspace's runs, whatever its filters: what a change invalidates. */
export function runsKey(workspaceId: string) {
  return ["workspaces", workspaceId, "runs"] as const;
}

/** One page of the workspace's runs, filtered and sorted by the server. */
export function runsQuery(workspaceId: string, view: RunListView) {
  const cursor = view.cursors.at(-1) ?? null;
  return queryOptions({
    queryKey: [...runsKey(workspaceId), { status: view.status, sort: view.sort, cursor }] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/runs", {
          params: {
            path: { workspace_id: workspaceId },
            query: {
              sort: view.sort,
              limit: RUNS_PAGE_SIZE,
              ...(view.status ? { status: view.status } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
          signal,
        }),
      ),
  });
}

/** The page of runs the view asks for; the previous page stays shown while it loads. */
export function useRuns(workspaceId: string, view: RunListView) {
  return useQuery({ ...runsQuery(workspaceId, view), placeholderData: keepPreviousData });
}
