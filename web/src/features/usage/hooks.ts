import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import type { UsageGrouping, UsagePeriod } from "./usage-view";

export type UsageReport = Schemas["UsageReport"];
export type UsageRow = Schemas["UsageRow"];

/** How often the report is fetched again while the page is in view, so new runs show up. */
export const USAGE_REFRESH_MS = 15_000;

export interface UsageRequest extends UsagePeriod {
  groupBy: UsageGrouping;
}

export function usageQuery(workspaceId: string, { from, to, groupBy }: UsageRequest) {
  return queryOptions({
    queryKey: ["workspaces", workspaceId, "usage", { from, to, groupBy }] as const,
    queryFn: async ({ signal }): Promise<UsageReport> => {
      const report = await unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/usage", {
          params: { path: { workspace_id: workspaceId }, query: { from, to, group_by: groupBy } },
          signal,
        }),
      );
      // The route also answers CSV, but only to a request that asks for it.
      if (typeof report === "string") {
        throw new Error("The usage report came back as CSV instead of JSON.");
      }
      return report;
    },
  });
}

/**
 * The workspace's usage report, fetched again every few seconds while the tab is visible
 * (TanStack Query pauses the interval in a background tab); the previous report stays
 * shown while another range or grouping loads.
 */
export function useUsage(workspaceId: string, request: UsageRequest) {
  return useQuery({
    ...usageQuery(workspaceId, request),
    placeholderData: keepPreviousData,
    refetchInterval: USAGE_REFRESH_MS,
  });
}

/** The same report as a CSV download, which the browser fetches with the session cookie. */
export function usageCsvUrl(workspaceId: string, { from, to, groupBy }: UsageRequest): string {
  const query = new URLSearchParams({ format: "csv", from, to, group_by: groupBy });
  return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/usage?${query.toString()}`;
}
