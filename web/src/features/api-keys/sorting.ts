import type { SortingState } from "@tanstack/react-table";

/** The columns of the keys table that can be sorted, by id. */
export const SORTABLE_COLUMNS = [
  "name",
  "created_at",
  "last_used_at",
  "expires_at",
  "status",
] as const;

const DEFAULT_SORTING: SortingState = [{ id: "created_at", desc: true }];

/** `?sort=name` or `?sort=-created_at` (descending) to the table's sorting state. */
export function sortingFromParam(param: string | null): SortingState {
  if (!param) {
    return DEFAULT_SORTING;
  }
  const desc = param.startsWith("-");
  const id = desc ? param.slice(1) : param;
  return (SORTABLE_COLUMNS as readonly string[]).includes(id) ? [{ id, desc }] : DEFAULT_SORTING;
}

/** The table's sorting state as the `sort` parameter; null for the default order. */
export function sortingToParam(sorting: SortingState): string | null {
  const first = sorting[0];
  if (!first) {
    return null;
  }
  const param = `${first.desc ? "-" : ""}${first.id}`;
  return param === "-created_at" ? null : param;
}
