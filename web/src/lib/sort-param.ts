import type { SortingState, Updater } from "@tanstack/react-table";
import { useCallback } from "react";
import { useSearchParams } from "react-router";

/** How a table sorts by default and which of its columns can be sorted, by id. */
export interface SortOptions {
  columns: readonly string[];
  /** The order without `?sort=` (empty: the server's order). */
  fallback: SortingState;
}

/** `?sort=name` or `?sort=-created_at` (descending) to a table's sorting state. */
export function sortingFromParam(param: string | null, options: SortOptions): SortingState {
  if (!param) {
    return options.fallback;
  }
  const desc = param.startsWith("-");
  const id = desc ? param.slice(1) : param;
  return options.columns.includes(id) ? [{ id, desc }] : options.fallback;
}

/** A sorting state as the `sort` parameter; null for the default order. */
export function sortingToParam(sorting: SortingState, options: SortOptions): string | null {
  const param = (state: SortingState) => {
    const first = state[0];
    return first ? `${first.desc ? "-" : ""}${first.id}` : null;
  };
  const wanted = param(sorting);
  return wanted === param(options.fallback) ? null : wanted;
}

/** A table's sort order, kept in the address (`?sort=`) without adding history entries. */
export function useSortingParam(options: SortOptions) {
  const [searchParams, setSearchParams] = useSearchParams();
  const sorting = sortingFromParam(searchParams.get("sort"), options);
  const changeSorting = useCallback(
    (updater: Updater<SortingState>) => {
      setSearchParams(
        (params) => {
          const current = sortingFromParam(params.get("sort"), options);
          const next = typeof updater === "function" ? updater(current) : updater;
          const param = sortingToParam(next, options);
          if (param) {
            params.set("sort", param);
          } else {
            params.delete("sort");
          }
          return params;
        },
        { replace: true },
      );
    },
    [setSearchParams, options],
  );
  return [sorting, changeSorting] as const;
}
