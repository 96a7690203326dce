import {
  createColumnHelper,
  getCoreRowModel,
  useReactTable,
  type OnChangeFn,
  type SortingState,
} from "@tanstack/react-table";
import { useMemo } from "react";

import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { DataTable } from "../../components/ui/DataTable";
import { formatDate, formatDateTime, formatRelative } from "../../lib/dates";
import { formatLatency } from "./check-outcome";
import type { Provider } from "./hooks";
import { keyHint, kindDescription } from "./provider-kinds";

const column = createColumnHelper<Provider>();

function LastCheck({ provider }: { provider: Provider }) {
  const checked = provider.last_checked_at;
  if (!checked) {
    return <span className="text-slate-400">Not checked</span>;
  }
  return (
    <span className="flex max-w-56 flex-col gap-0.5">
      <span className="flex items-center gap-1.5">
        {provider.last_check_ok ? (
          <Badge tone="success">OK</Badge>
        ) : (
          <Badge tone="danger">Failed</Badge>
        )}
        {provider.last_check_latency_ms !== null && (
          <span className="text-xs text-slate-400">
            {formatLatency(provider.last_check_latency_ms)}
          </span>
        )}
      </span>
      {!provider.last_check_ok && provider.last_check_error && (
        <span className="truncate text-xs text-rose-200" title={provider.last_check_error}>
          {provider.last_check_error}
        </span>
      )}
      <time dateTime={checked} title={formatDateTime(checked)} className="text-xs text-slate-400">
        {formatRelative(checked)}
      </time>
    </span>
  );
}

/** A row's button, named with its visible text and then the provider's name. */
function RowAction({
  label,
  provider,
  loading,
  danger,
  onClick,
}: {
  label: string;
  provider: Provider;
  loading?: boolean;
  danger?: boolean;
  onClick: (provider: Provider) => void;
}) {
  return (
    <Button
      variant="ghost"
      size="sm"
      loading={loading ?? false}
      className={danger ? "text-rose-300 hover:text-rose-200" : undefined}
      aria-label={`${label} ${provider.name}`}
      onClick={() => {
        onClick(provider);
      }}
    >
      {label}
    </Button>
  );
}

interface ProvidersTableProps {
  providers: Provider[];
  sorting: SortingState;
  onSortingChange: OnChangeFn<SortingState>;
  /** Offers Check on each row (members, admins and owners). */
  canCheck: boolean;
  /** Offers Make default and Delete on each row (admins and owners). */
  canManage: boolean;
  /** The provider being checked, if any. */
  checkingId: string | null;
  /** The provider being made the default, if any. */
  makingDefaultId: string | null;
  onCheck: (provider: Provider) => void;
  onMakeDefault: (provider: Provider) => void;
  onDelete: (provider: Provider) => void;
  /** Opens the provider's edit form (admins and owners). */
  onEdit: (provider: Provider) => void;
}

/** One page of the workspace's providers, as the server sorted it; never their keys. */
export function ProvidersTable({
  providers,
  sorting,
  onSortingChange,
  canCheck,
  canManage,
  checkingId,
  makingDefaultId,
  onCheck,
  onMakeDefault,
  onDelete,
  onEdit,
}: ProvidersTableProps) {
  const columns = useMemo(
    () => [
      column.accessor("name", {
        header: "Name",
        cell: (info) => (
          <span className="flex items-center gap-2">
            <span className="font-medium text-white">{info.getValue()}</span>
            {info.row.original.is_default && <Badge tone="brand">Default</Badge>}
          </span>
        ),
      }),
      column.accessor("kind", {
        header: "Kind",
        enableSorting: false,
        cell: (info) => kindDescription(info.getValue()).label,
      }),
      column.accessor("base_url", {
        header: "Base URL",
        enableSorting: false,
        cell: (info) => {
          const url = info.getValue();
          return url ? (
            <code className="font-mono text-xs break-all text-slate-300">{url}</code>
          ) : (
            <span className="text-slate-400">Public API</span>
          );
        },
      }),
      column.accessor("default_model", {
        header: "Default model",
        enableSorting: false,
        cell: (info) => {
          const model = info.getValue();
          if (model) {
            return <code className="font-mono text-xs text-slate-300">{model}</code>;
          }
          // Agents that name no model run on the default provider's default model.
          return info.row.original.is_default ? (
            <span className="text-amber-200">None: agents must name a model</span>
          ) : (
            <span className="text-slate-400">None</span>
          );
        },
      }),
      column.display({
        id: "key",
        header: "Key",
        cell: (info) => {
          const provider = info.row.original;
          return (
            <span
              className={
                provider.api_key_set ? "font-mono text-xs text-slate-300" : "text-slate-400"
              }
            >
              {keyHint(provider)}
            </span>
          );
        },
      }),
      column.display({
        id: "last_check",
        header: "Last check",
        cell: (info) => <LastCheck provider={info.row.original} />,
      }),
      column.accessor("created_at", {
        header: "Created",
        sortDescFirst: true,
        cell: (info) => <time dateTime={info.getValue()}>{formatDate(info.getValue())}</time>,
      }),
      column.display({
        id: "actions",
        header: () => <span className="sr-only">Actions</span>,
        cell: (info) => {
          const provider = info.row.original;
          return (
            <span className="flex justify-end gap-1">
              {canCheck && (
                <RowAction
                  label="Check"
                  provider={provider}
                  loading={checkingId === provider.id}
                  onClick={onCheck}
                />
              )}
              {canManage && <RowAction label="Edit" provider={provider} onClick={onEdit} />}
              {canManage && !provider.is_default && (
                <RowAction
                  label="Make default"
                  provider={provider}
                  loading={makingDefaultId === provider.id}
                  onClick={onMakeDefault}
                />
              )}
              {canManage && (
                <RowAction label="Delete" provider={provider} danger onClick={onDelete} />
              )}
            </span>
          );
        },
      }),
    ],
    [canCheck, canManage, checkingId, makingDefaultId, onCheck, onMakeDefault, onDelete, onEdit],
  );

  const table = useReactTable({
    data: providers,
    columns,
    state: { sorting },
    onSortingChange,
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (provider) => provider.id,
  });
  return <DataTable table={table} caption="Model providers of this workspace" />;
}
