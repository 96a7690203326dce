import {
  createColumnHelper,
  getCoreRowModel,
  useReactTable,
  type OnChangeFn,
  type SortingState,
} from "@tanstack/react-table";
import { useMemo } from "react";
import { Link } from "react-router";

import { Badge } from "../../components/ui/Badge";
import { DataTable } from "../../components/ui/DataTable";
import { formatDateTime, formatRelative } from "../../lib/dates";
import type { Run } from "./hooks";
import {
  RUN_STATUS_LABELS,
  RUN_STATUS_TONES,
  formatCost,
  formatCount,
  firstLine,
  formatLatency,
  runAnswer,
  runInputLine,
  shortRunId,
} from "./run-format";

const column = createColumnHelper<Run>();

function columns(agentNames: ReadonlyMap<string, string>) {
  return [
    column.accessor("id", {
      header: "Run",
      enableSorting: false,
      cell: ({ row }) => <RunCell run={row.original} />,
    }),
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
        <Badge tone={RUN_STATUS_TONES[info.getValue()]}>{RUN_STATUS_LABELS[info.getValue()]}</Badge>
      ),
    }),
    column.display({
      id: "tokens",
      header: "Tokens in / out",
      cell: ({ row }) => (
        <span className="tabular-nums">
          {formatCount(row.original.tokens_in)} / {formatCount(row.original.tokens_out)}
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

/** What the run was asked, as its link, and under it a line of what it answered. */
function RunCell({ run }: { run: Run }) {
  const input = firstLine(runInputLine(run.input), 72);
  const answer = run.error ? run.error.message : runAnswer(run);
  return (
    <div className="max-w-md min-w-48">
      <Link
        to={run.id}
        title={run.id}
        className="block truncate font-medium text-luna-100 underline-offset-4 hover:underline"
      >
        {input || <span className="font-mono text-xs">Run {shortRunId(run.id)}</span>}
      </Link>
      {answer !== null && (
        <p
          data-field="answer"
          className={
            run.error ? "truncate text-xs text-rose-200" : "truncate text-xs text-slate-400"
          }
        >
          {firstLine(answer, 96)}
        </p>
      )}
    </div>
  );
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
  // New column definitions would remount every cell: they change only with the names.
  const tableColumns = useMemo(() => columns(agentNames), [agentNames]);
  const table = useReactTable({
    data: runs,
    columns: tableColumns,
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
