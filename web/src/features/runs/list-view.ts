/**
 * The runs table's view, kept in the address so that a reload or a link shows the same
 * page: `?status=` (one run state; absent for all), `?sort=created_at` (oldest first; absent
 * for newest first) and one `?cursor=` per page turned (the last is the page shown, the
 * others are the way back).
 */
import type { SortingState } from "@tanstack/react-table";

export const RUN_STATUSES = [
  "queued",
  "running",
  "waiting_approval",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_SORTS = ["-created_at", "created_at"] as const;
export type RunSort = (typeof RUN_SORTS)[number];

/** Newest first. */
export const DEFAULT_RUN_SORT: RunSort = "-created_at";

export interface RunListView {
  status: RunStatus | null;
  sort: RunSort;
  cursors: string[];
}

export function isRunStatus(value: string | null): value is RunStatus {
  return (RUN_STATUSES as readonly (string | null)[]).includes(value);
}

function isSort(value: string | null): value is RunSort {
  return (RUN_SORTS as readonly (string | null)[]).includes(value);
}

export function viewFromParams(params: URLSearchParams): RunListView {
  const status = params.get("status");
  const sort = params.get("sort");
  return {
    status: isRunStatus(status) ? status : null,
    sort: isSort(sort) ? sort : DEFAULT_RUN_SORT,
    cursors: params.getAll("cursor").filter(Boolean),
  };
}

/** Writes `view` into `params`, leaving out what is the default. */
export function writeView(params: URLSearchParams, view: RunListView): URLSearchParams {
  for (const key of ["status", "sort", "cursor"]) {
    params.delete(key);
  }
  if (view.status) {
    params.set("status", view.status);
  }
  if (view.sort !== DEFAULT_RUN_SORT) {
    params.set("sort", view.sort);
  }
  for (const cursor of view.cursors) {
    params.append("cursor", cursor);
  }
  return params;
}

export function sortingOf(sort: RunSort): SortingState {
  return [{ id: "created_at", desc: sort.startsWith("-") }];
}

export function sortOf(sorting: SortingState): RunSort {
  const first = sorting[0];
  if (first?.id !== "created_at") {
    return DEFAULT_RUN_SORT;
  }
  return first.desc ? "-created_at" : "created_at";
}
