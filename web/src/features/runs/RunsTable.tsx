import {
  createColumnHelper,
  getCoreRowModel,
  useReactTable,
  type OnChangeFn,
  type SortingState,
} from "@tanstack/react-table";

import { Badge, type BadgeTone } from "../../components/ui/Badge";
import { DataTable } from "../../components/ui/DataTable";
import { formatDateTime, formatRelative } from "../../lib/dates";
import type { Run } from "./hooks";
import type { RunStatus } from "./list-view";

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  queued: "Queued",
  running: "Running",
  waiting_approval: "Waiting for approval",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

const STATUS_TONES: Record<RunStatus, BadgeTone> = {
  queued: "neutral",
  running: "brand",
  waiting_approval: "warning",
  succeeded: "success",
  failed: "danger",
  cancelled: "neutral",
};

const count = new Intl.NumberFormat();
const usd = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});
const seconds = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** "850 ms", "12.3 s". */
export function formatLatency(ms: number): string {
  return ms < 1000 ? `${count.format(ms)} ms` : `${seconds.format(ms / 1000)} s`;
}

export function formatCost(costUsd: string): string {
  return usd.format(Number(costUsd));
}

const column = createColumnHelper<Run>();

function columns(agentNames: ReadonlyMap<string, string>) {
  return [
    column.accessor("created_at", {
      header: "Created",
      sortDescFirst: true,
      cell: (info) => (
        <time dateTime={info.getValue()} title={formatDateTime(info.getValue())}>
          {formatRelative(info.getValue())}
        </time>
      ),
    }),
    column.accessor("agent_id", {
      header: "Agent",
      enableSorting: false,
      cell: (info) => {
        const name = agentNames.get(info.getValue());
        return name ? (
          <span className="font-medium text-white">{name}</span>
        ) : (
          <span className="font-mono text-xs">{info.getValue()}</span>
        );
      },
    }),
    column.accessor("status", {
      header: "Status",
      enableSorting: false,
      cell: (info) => (
        <Badge tone={STATUS_TONES[info.getValue()]}>{RUN_STATUS_LABELS[info.getValue()]}</Badge>
      ),
    }),
    column.display({
      id: "tokens",
      header: "Tokens in / out",
      cell: ({ row }) => (
        <span className="tabular-nums">
          {count.format(row.original.tokens_in)} / {count.format(row.original.tokens_out)}
        </span>
      ),
    }),
    column.accessor("cost_usd", {
      header: "Cost",
      enableSorting: false,
      cell: (info) => <span className="tabular-nums">{formatCost(info.getValue())}</span>,
    }),
    column.accessor("latency_ms", {
      header: "Latency",
      enableSorting: false,
      cell: (info) => {
        const latency = info.getValue();
        return latency === null ? (
          <span className="text-slate-400">Not finished</span>
        ) : (
          <span className="tabular-nums">{formatLatency(latency)}</span>
        );
      },
    }),
  ];
}

interface RunsTableProps {
  runs: Run[];
  /** Agent names by id; a run of an agent not in it shows the agent's id. */
  agentNames: ReadonlyMap<string, string>;
  sorting: SortingState;
  onSortingChange: OnChangeFn<SortingState>;
}

/** One page of the workspace's runs, as the server sorted it. */
export function RunsTable({ runs, agentNames, sorting, onSortingChange }: RunsTableProps) {
  const table = useReactTable({
    data: runs,
    columns: columns(agentNames),
    state: { sorting },
    onSortingChange,
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (run) => run.id,
  });
  return <DataTable table={table} caption="Runs of this workspace" />;
}
