import {
  createColumnHelper,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type OnChangeFn,
  type Row,
  type SortingState,
} from "@tanstack/react-table";
import { useMemo } from "react";

import { Badge, type BadgeTone } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { DataTable } from "../../components/ui/DataTable";
import { formatDate, formatDateTime, formatRelative } from "../../lib/dates";
import { apiKeyStatus, type ApiKey, type ApiKeyStatus } from "./hooks";

const STATUS_TONES: Record<ApiKeyStatus, BadgeTone> = {
  active: "success",
  expired: "warning",
  revoked: "danger",
};

const STATUS_LABELS: Record<ApiKeyStatus, string> = {
  active: "Active",
  expired: "Expired",
  revoked: "Revoked",
};

/** Sorts timestamps that may be missing: a missing one counts as the earliest. */
function byOptionalTimestamp(columnId: string) {
  return (left: Row<ApiKey>, right: Row<ApiKey>) => {
    const a = left.getValue<string | null>(columnId) ?? "";
    const b = right.getValue<string | null>(columnId) ?? "";
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

const column = createColumnHelper<ApiKey>();

interface ApiKeysTableProps {
  keys: ApiKey[];
  sorting: SortingState;
  onSortingChange: OnChangeFn<SortingState>;
  onRevoke: (key: ApiKey) => void;
}

/** The workspace's keys: never their secrets, only the prefix that recognises them. */
export function ApiKeysTable({ keys, sorting, onSortingChange, onRevoke }: ApiKeysTableProps) {
  const columns = useMemo(
    () => [
      column.accessor("name", {
        header: "Name",
        cell: (info) => <span className="font-medium text-white">{info.getValue()}</span>,
      }),
      column.accessor("prefix", {
        header: "Key",
        enableSorting: false,
        cell: (info) => (
          <code
            className="font-mono text-xs text-slate-300"
            aria-label={`Key starting ${info.getValue()}`}
          >
            {info.getValue()}…
          </code>
        ),
      }),
      column.accessor("scopes", {
        header: "Scopes",
        enableSorting: false,
        cell: (info) => (
          <ul className="flex max-w-64 flex-wrap gap-1" aria-label="Scopes">
            {info.getValue().map((scope) => (
              <li key={scope}>
                <Badge tone={scope === "admin" ? "warning" : "brand"}>{scope}</Badge>
              </li>
            ))}
          </ul>
        ),
      }),
      column.accessor("created_at", {
        header: "Created",
        sortingFn: byOptionalTimestamp("created_at"),
        cell: (info) => <time dateTime={info.getValue()}>{formatDate(info.getValue())}</time>,
      }),
      column.accessor("last_used_at", {
        header: "Last used",
        sortingFn: byOptionalTimestamp("last_used_at"),
        cell: (info) => {
          const used = info.getValue();
          if (!used) {
            return <span className="text-slate-400">Never</span>;
          }
          return (
            <span className="flex flex-col">
              <time dateTime={used} title={formatDateTime(used)}>
                {formatRelative(used)}
              </time>
              {info.row.original.last_used_ip && (
                <span className="text-xs text-slate-400">{info.row.original.last_used_ip}</span>
              )}
            </span>
          );
        },
      }),
      column.accessor("expires_at", {
        header: "Expires",
        sortingFn: byOptionalTimestamp("expires_at"),
        cell: (info) => {
          const expires = info.getValue();
          return expires ? (
            <time dateTime={expires}>{formatDate(expires)}</time>
          ) : (
            <span className="text-slate-400">Never</span>
          );
        },
      }),
      column.accessor((key) => apiKeyStatus(key), {
        id: "status",
        header: "Status",
        cell: (info) => (
          <Badge tone={STATUS_TONES[info.getValue()]}>{STATUS_LABELS[info.getValue()]}</Badge>
        ),
      }),
      column.display({
        id: "actions",
        header: () => <span className="sr-only">Actions</span>,
        cell: (info) =>
          info.row.original.revoked_at ? null : (
            <Button
              variant="ghost"
              size="sm"
              className="text-rose-300 hover:text-rose-200"
              aria-label={`Revoke ${info.row.original.name}`}
              onClick={() => {
                onRevoke(info.row.original);
              }}
            >
              Revoke
            </Button>
          ),
      }),
    ],
    [onRevoke],
  );

  const table = useReactTable({
    data: keys,
    columns,
    state: { sorting },
    onSortingChange,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getRowId: (key) => key.id,
  });

  return <DataTable table={table} caption="API keys of this workspace" />;
}
