import { createColumnHelper, getCoreRowModel, useReactTable } from "@tanstack/react-table";

import { DataTable } from "../../components/ui/DataTable";
import { formatDateTime } from "../../lib/dates";
import { actionLabel } from "./audit-actions";
import type { AuditEvent } from "./hooks";

/** Who did it: a person's email, an API key, or Luna itself (webhooks, schedules). */
export function actorOf(event: AuditEvent): string {
  const { actor } = event;
  if (actor.email) {
    return actor.email;
  }
  if (actor.api_key_id) {
    return `API key ${actor.api_key_id}`;
  }
  return actor.user_id ?? "Luna";
}

function EventDetails({ event }: { event: AuditEvent }) {
  const hasData = Object.keys(event.data).length > 0;
  return (
    <details className="group max-w-md">
      <summary className="cursor-pointer rounded text-sm text-luna-300 hover:text-luna-200">
        Details
        <span className="sr-only">
          {" "}
          of {actionLabel(event.action)} at {formatDateTime(event.created_at)}
        </span>
      </summary>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
        <dt className="text-slate-400">Event</dt>
        <dd className="font-mono break-all text-slate-300">{event.id}</dd>
        <dt className="text-slate-400">Browser</dt>
        <dd className="break-all text-slate-300">{event.user_agent || "Not recorded"}</dd>
        {hasData && (
          <>
            <dt className="text-slate-400">Data</dt>
            <dd>
              <pre className="font-mono break-all whitespace-pre-wrap text-slate-300">
                {JSON.stringify(event.data, null, 2)}
              </pre>
            </dd>
          </>
        )}
      </dl>
    </details>
  );
}

const column = createColumnHelper<AuditEvent>();

const columns = [
  column.accessor("created_at", {
    header: "Time",
    cell: (info) => (
      <time dateTime={info.getValue()} className="whitespace-nowrap">
        {formatDateTime(info.getValue())}
      </time>
    ),
  }),
  column.accessor(actorOf, {
    id: "actor",
    header: "Actor",
    cell: (info) => <span className="break-all">{info.getValue()}</span>,
  }),
  column.accessor("action", {
    header: "Action",
    cell: (info) => (
      <span className="flex flex-col">
        <span className="text-white">{actionLabel(info.getValue())}</span>
        <code className="font-mono text-xs text-slate-400">{info.getValue()}</code>
      </span>
    ),
  }),
  column.accessor("target", {
    header: "Target",
    cell: (info) => {
      const target = info.getValue();
      return target ? (
        <span className="flex flex-col">
          <span>{target.type}</span>
          {target.id && (
            <code className="font-mono text-xs break-all text-slate-400">{target.id}</code>
          )}
        </span>
      ) : (
        <span className="text-slate-400">None</span>
      );
    },
  }),
  column.accessor("ip_address", {
    header: "IP address",
    cell: (info) =>
      info.getValue() ? (
        <code className="font-mono text-xs">{info.getValue()}</code>
      ) : (
        <span className="text-slate-400">None</span>
      ),
  }),
  column.display({
    id: "details",
    header: "Details",
    cell: (info) => <EventDetails event={info.row.original} />,
  }),
];

/** One page of the team's audit log, newest first, as the server ordered it. */
export function AuditLogTable({ events, caption }: { events: AuditEvent[]; caption: string }) {
  const table = useReactTable({
    data: events,
    columns,
    getRowId: (event) => event.id,
    getCoreRowModel: getCoreRowModel(),
    enableSorting: false,
  });
  return <DataTable table={table} caption={caption} />;
}
