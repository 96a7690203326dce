/**
 * The providers table's view, kept in the address so that a reload or a link shows the
 * same page: `?sort=` (the server's order) and one `?cursor=` per page turned (the last is
 * the page shown, the others are the way back).
 */
import type { SortingState } from "@tanstack/react-table";

export const PROVIDER_SORTS = ["name", "-name", "created_at", "-created_at"] as const;
export type ProviderSort = (typeof PROVIDER_SORTS)[number];

const DEFAULT_SORT: ProviderSort = "name";

export interface ProviderListView {
  sort: ProviderSort;
  cursors: string[];
}

function isSort(value: string | null): value is ProviderSort {
  return (PROVIDER_SORTS as readonly (string | null)[]).includes(value);
}

export function viewFromParams(params: URLSearchParams): ProviderListView {
  const sort = params.get("sort");
  return {
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    cursors: params.getAll("cursor").filter(Boolean),
  };
}

/** Writes `view` into `params`, leaving out what is the default. */
export function writeView(params: URLSearchParams, view: ProviderListView): URLSearchParams {
  params.delete("sort");
  params.delete("cursor");
  if (view.sort !== DEFAULT_SORT) {
    params.set("sort", view.sort);
  }
  for (const cursor of view.cursors) {
    params.append("cursor", cursor);
  }
  return params;
}

export function sortingOf(sort: ProviderSort): SortingState {
  const desc = sort.startsWith("-");
  return [{ id: desc ? sort.slice(1) : sort, desc }];
}

/** The table's sorting as the server's `sort`; the default order when it is cleared. */
export function sortOf(sorting: SortingState): ProviderSort {
  const first = sorting[0];
  if (!first) {
    return DEFAULT_SORT;
  }
  const sort = `${first.desc ? "-" : ""}${first.id}`;
  return isSort(sort) ? sort : DEFAULT_SORT;
}
