import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import type { operations } from "../../api/schema";

export type CatalogAgent = Schemas["CatalogAgentSummary"];
type CatalogPlan = NonNullable<
  NonNullable<operations["catalog-list"]["parameters"]["query"]>["plan"]
>;

const CATALOG_PLANS: readonly string[] = [
  "starter",
  "growth",
  "scale",
  "enterprise",
] satisfies CatalogPlan[];

function isCatalogPlan(plan: string): plan is CatalogPlan {
  return CATALOG_PLANS.includes(plan);
}

/** The built-in agents a team's plan includes (all of them for a plan the catalog does not know). */
export function catalogQuery(plan: string) {
  const filter = isCatalogPlan(plan) ? plan : undefined;
  return queryOptions({
    queryKey: ["catalog", "agents", { plan: filter ?? null }] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/catalog/agents", { params: { query: { plan: filter } }, signal }),
      ).then((page) => page.items),
    staleTime: 10 * 60_000,
  });
}

export function useCatalog(plan: string) {
  return useQuery(catalogQuery(plan));
}
