import { createColumnHelper, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import type { ReactNode } from "react";

import { ApiProblem } from "../../api/client";
import { Badge } from "../../components/ui/Badge";
import { DataTable } from "../../components/ui/DataTable";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { formatDate } from "../../lib/dates";
import { useInvoices, type CheckoutOutcome, type Invoice } from "./hooks";
import { isWebAddress } from "./links";
import { formatMoney } from "./money";
import { invoiceStatusLook } from "./plan-details";

function InvoiceLink({ href, text, what }: { href: string | null; text: string; what: string }) {
  if (!href || !isWebAddress(href)) {
    return null;
  }
  return (
    <a
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      aria-label={`${text} ${what} (opens in a new tab)`}
      className="rounded font-medium text-luna-300 hover:text-luna-200"
    >
      {text}
    </a>
  );
}

function Period({ invoice }: { invoice: Invoice }) {
  const { period_start: start, period_end: end } = invoice;
  if (!start || !end) {
    return <time dateTime={invoice.issued_at}>{formatDate(invoice.issued_at)}</time>;
  }
  return (
    <span>
      <time dateTime={start}>{formatDate(start)}</time> –{" "}
      <time dateTime={end}>{formatDate(end)}</time>
    </span>
  );
}

const column = createColumnHelper<Invoice>();

const columns = [
  column.accessor("number", {
    header: "Number",
    cell: (info) => info.getValue() ?? <span className="text-slate-400">Not numbered yet</span>,
  }),
  column.display({
    id: "period",
    header: "Period",
    cell: (info) => <Period invoice={info.row.original} />,
  }),
  column.accessor("amount_due_cents", {
    header: "Amount",
    cell: (info) => (
      <span className="tabular-nums">
        {formatMoney(info.getValue(), info.row.original.currency)}
      </span>
    ),
  }),
  column.accessor("status", {
    header: "Status",
    cell: (info) => {
      const look = invoiceStatusLook(info.getValue());
      return <Badge tone={look.tone}>{look.label}</Badge>;
    },
  }),
  column.display({
    id: "links",
    header: () => <span className="sr-only">Links</span>,
    cell: (info) => {
      const invoice = info.row.original;
      const name = invoice.number ? `invoice ${invoice.number}` : "invoice";
      return (
        <span className="flex gap-4">
          <InvoiceLink href={invoice.hosted_url} text="View" what={name} />
          <InvoiceLink href={invoice.pdf_url} text="PDF" what={`of ${name}`} />
        </span>
      );
    },
  }),
];

function InvoicesTable({ invoices }: { invoices: Invoice[] }) {
  const table = useReactTable({
    data: invoices,
    columns,
    enableSorting: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (invoice) => invoice.id,
  });
  return <DataTable table={table} caption="The team's invoices, newest first" />;
}

/** The team's invoices, with links to the provider's copy and its PDF. */
export function InvoicesSection({
  teamId,
  checkout,
}: {
  teamId: string;
  checkout: CheckoutOutcome | null;
}) {
  const invoices = useInvoices(teamId, checkout);
  let content: ReactNode;
  if (invoices.isPending) {
    content = <TableSkeleton label="Loading invoices" rows={2} />;
  } else if (invoices.isError) {
    content = (
      <ErrorState
        title="The invoices could not be loaded"
        message={invoices.error.message}
        requestId={invoices.error instanceof ApiProblem ? invoices.error.requestId : null}
        onRetry={() => void invoices.refetch()}
        retrying={invoices.isFetching}
      />
    );
  } else if (invoices.data.length === 0) {
    content = (
      <EmptyState title="No invoices yet">
        Invoices appear here once the team pays for a plan.
      </EmptyState>
    );
  } else {
    content = <InvoicesTable invoices={invoices.data} />;
  }
  return (
    <section aria-labelledby="invoices-heading" className="mt-12 space-y-4">
      <h2 id="invoices-heading" className="text-lg font-semibold text-white">
        Invoices
      </h2>
      {content}
    </section>
  );
}
