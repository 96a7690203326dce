import { flexRender, type Header, type Table } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";

import { classNames } from "../../lib/class-names";

const SORT_LABEL = { asc: "ascending", desc: "descending" } as const;

function SortableHeader<Row>({ header }: { header: Header<Row, unknown> }) {
  const label = flexRender(header.column.columnDef.header, header.getContext());
  if (!header.column.getCanSort()) {
    return <>{label}</>;
  }
  const direction = header.column.getIsSorted();
  return (
    <button
      type="button"
      onClick={header.column.getToggleSortingHandler()}
      className="-mx-1.5 inline-flex items-center gap-1 rounded px-1.5 py-0.5 hover:bg-white/8 hover:text-white"
    >
      {label}
      <SortIcon direction={direction} />
    </button>
  );
}

function SortIcon({ direction }: { direction: false | "asc" | "desc" }) {
  const Icon = direction === "desc" ? ArrowDown : direction === "asc" ? ArrowUp : ArrowUpDown;
  return <Icon aria-hidden="true" className={classNames("size-3.5", !direction && "opacity-40")} />;
}

interface DataTableProps<Row> {
  table: Table<Row>;
  /** Read out as the table's name. */
  caption: string;
}

/** Renders a TanStack Table: sortable headers announce their order (aria-sort). */
export function DataTable<Row>({ table, caption }: DataTableProps<Row>) {
  return (
    // A region the keyboard can reach, to scroll a table wider than a phone sideways.
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="glass overflow-x-auto rounded-2xl focus-visible:outline-2 focus-visible:outline-halo"
    >
      <table className="w-full min-w-[44rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-white/10 text-xs text-slate-400">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const direction = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={direction ? SORT_LABEL[direction] : undefined}
                    className="px-4 py-3 font-medium whitespace-nowrap"
                  >
                    {header.isPlaceholder ? null : <SortableHeader header={header} />}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-white/6">
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} className="transition-colors hover:bg-white/3">
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className="px-4 py-3 align-middle text-slate-200">
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
