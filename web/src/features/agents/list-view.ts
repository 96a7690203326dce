/**
 * The agents table's view, kept in the address so that a reload or a link shows the same
 * page: `?q=`, `?status=`, `?sort=`, one `?cursor=` per page turned (the last is the page
 * shown, the others are the way back) and `?hide=` (hidden columns, comma-separated).
 */
import type { SortingState, VisibilityState } from "@tanstack/react-table";

export const AGENT_STATUSES = ["active", "archived", "all"] as const;
export type AgentStatusFilter = (typeof AGENT_STATUSES)[number];

/** The columns the server sorts by, by column id (the API's field names). */
export const SORTABLE_COLUMNS = ["name", "updated_at"] as const;
type SortableColumn = (typeof SORTABLE_COLUMNS)[number];
export type AgentSort = SortableColumn | `-${SortableColumn}` | "created_at" | "-created_at";

const ALL_SORTS: readonly string[] = [
  "name",
  "-name",
  "updated_at",
  "-updated_at",
  "created_at",
  "-created_at",
];

/** The columns a person may hide; the name always shows. */
export const HIDEABLE_COLUMNS = [
  { id: "status", label: "Status" },
  { id: "tags", label: "Tags" },
  { id: "current_version", label: "Version" },
  { id: "updated_at", label: "Updated" },
] as const;

const HIDEABLE_IDS: readonly string[] = HIDEABLE_COLUMNS.map((column) => column.id);

export interface AgentListView {
  q: string;
  status: AgentStatusFilter;
  sort: AgentSort | null;
  cursors: string[];
  hidden: string[];
}

function isStatus(value: string | null): value is AgentStatusFilter {
  return (AGENT_STATUSES as readonly (string | null)[]).includes(value);
}

function isSort(value: string | null): value is AgentSort {
  return value !== null && ALL_SORTS.includes(value);
}

export function viewFromParams(params: URLSearchParams): AgentListView {
  const status = params.get("status");
  const sort = params.get("sort");
  return {
    q: params.get("q")?.trim() ?? "",
    status: isStatus(status) ? status : "active",
    sort: isSort(sort) ? sort : null,
    cursors: params.getAll("cursor").filter(Boolean),
    hidden: (params.get("hide") ?? "").split(",").filter((id) => HIDEABLE_IDS.includes(id)),
  };
}

/** Writes `view` into `params`, leaving out what is the default. */
export function writeView(params: URLSearchParams, view: AgentListView): URLSearchParams {
  for (const key of ["q", "status", "sort", "cursor", "hide"]) {
    params.delete(key);
  }
  if (view.q) {
    params.set("q", view.q);
  }
  if (view.status !== "active") {
    params.set("status", view.status);
  }
  if (view.sort) {
    params.set("sort", view.sort);
  }
  for (const cursor of view.cursors) {
    params.append("cursor", cursor);
  }
  if (view.hidden.length > 0) {
    params.set("hide", view.hidden.join(","));
  }
  return params;
}

export function sortingOf(sort: AgentSort | null): SortingState {
  if (!sort) {
    return [];
  }
  const desc = sort.startsWith("-");
  return [{ id: desc ? sort.slice(1) : sort, desc }];
}

export function sortOf(sorting: SortingState): AgentSort | null {
  const first = sorting[0];
  if (!first) {
    return null;
  }
  const sort = `${first.desc ? "-" : ""}${first.id}`;
  return isSort(sort) ? sort : null;
}

export function visibilityOf(hidden: readonly string[]): VisibilityState {
  return Object.fromEntries(hidden.map((id) => [id, false]));
}

export function hiddenOf(visibility: VisibilityState): string[] {
  return HIDEABLE_IDS.filter((id) => visibility[id] === false);
}
