import type { SortingState } from "@tanstack/react-table";

/** The columns of the members table that can be sorted, by id. */
const SORTABLE_COLUMNS = ["name", "email", "role", "joined_at"] as const;

/** `?sort=name` or `?sort=-joined_at` (descending); none keeps the order people joined. */
export function sortingFromParam(param: string | null): SortingState {
  if (!param) {
    return [];
  }
  const desc = param.startsWith("-");
  const id = desc ? param.slice(1) : param;
  return (SORTABLE_COLUMNS as readonly string[]).includes(id) ? [{ id, desc }] : [];
}

/** The table's sorting state as the `sort` parameter; null for the join order. */
export function sortingToParam(sorting: SortingState): string | null {
  const first = sorting[0];
  return first ? `${first.desc ? "-" : ""}${first.id}` : null;
}
