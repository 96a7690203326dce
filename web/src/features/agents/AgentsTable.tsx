import {
  createColumnHelper,
  getCoreRowModel,
  useReactTable,
  type OnChangeFn,
  type SortingState,
  type VisibilityState,
} from "@tanstack/react-table";
import { Link } from "react-router";

import { Badge } from "../../components/ui/Badge";
import { DataTable } from "../../components/ui/DataTable";
import { formatDateTime, formatRelative } from "../../lib/dates";
import type { Agent } from "./hooks";

const column = createColumnHelper<Agent>();

const columns = [
  column.accessor("name", {
    header: "Name",
    cell: (info) => (
      <span className="flex flex-col">
        <Link
          to={info.row.original.id}
          className="font-medium text-white underline-offset-4 hover:underline"
        >
          {info.getValue()}
        </Link>
        {info.row.original.template_slug && (
          <span className="text-xs text-slate-400">From {info.row.original.template_slug}</span>
        )}
      </span>
    ),
  }),
  column.accessor("status", {
    header: "Status",
    enableSorting: false,
    cell: (info) =>
      info.getValue() === "active" ? <Badge tone="success">Active</Badge> : <Badge>Archived</Badge>,
  }),
  column.accessor("tags", {
    header: "Tags",
    enableSorting: false,
    cell: (info) =>
      info.getValue().length === 0 ? (
        <span className="text-slate-400">None</span>
      ) : (
        <ul className="flex max-w-64 flex-wrap gap-1" aria-label="Tags">
          {info.getValue().map((tag) => (
            <li key={tag}>
              <Badge tone="brand">{tag}</Badge>
            </li>
          ))}
        </ul>
      ),
  }),
  column.accessor("current_version", {
    header: "Version",
    enableSorting: false,
    cell: (info) => <span className="font-mono text-xs">v{info.getValue()}</span>,
  }),
  column.accessor("updated_at", {
    header: "Updated",
    sortDescFirst: true,
    cell: (info) => (
      <time dateTime={info.getValue()} title={formatDateTime(info.getValue())}>
        {formatRelative(info.getValue())}
      </time>
    ),
  }),
];

interface AgentsTableProps {
  agents: Agent[];
  sorting: SortingState;
  onSortingChange: OnChangeFn<SortingState>;
  columnVisibility: VisibilityState;
}

/** One page of the workspace's agents, as the server sorted it. */
export function AgentsTable({
  agents,
  sorting,
  onSortingChange,
  columnVisibility,
}: AgentsTableProps) {
  const table = useReactTable({
    data: agents,
    columns,
    state: { sorting, columnVisibility },
    onSortingChange,
    manualSorting: true,
    enableMultiSort: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (agent) => agent.id,
  });
  return <DataTable table={table} caption="Agents of this workspace" />;
}
