import { useId } from "react";
import { Link, useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { buttonClasses } from "../../components/ui/Button";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { SelectField } from "../../components/ui/SelectField";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import {
  USAGE_REFRESH_MS,
  usageCsvUrl,
  useUsage,
  type UsageReport,
  type UsageRequest,
} from "./hooks";
import { DailyCharts, GroupCharts } from "./UsageCharts";
import { formatCost, formatCount, formatLongDay } from "./usage-format";
import { dailySeries, figuresOf, groupSeries } from "./usage-series";
import { DailyTable, GroupTable } from "./UsageTables";
import {
  USAGE_GROUPINGS,
  USAGE_RANGES,
  isGrouping,
  isRange,
  usagePeriod,
  viewFromParams,
  writeView,
  type UsageGrouping,
  type UsageView,
} from "./usage-view";

const GROUPING_LABELS: Record<UsageGrouping, string> = {
  day: "Day",
  agent: "Agent",
  model: "Model",
};

const updatedAt = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

function UsageSkeleton() {
  return (
    <LoadingRegion label="Loading usage">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, index) => (
          <Skeleton key={index} className="h-20" />
        ))}
      </div>
      <div className="mt-6 grid gap-4 lg:grid-cols-2">
        <Skeleton className="h-72" />
        <Skeleton className="h-72" />
      </div>
    </LoadingRegion>
  );
}

function Totals({ report }: { report: UsageReport }) {
  const headingId = useId();
  const totals = figuresOf(report.totals);
  const figures = [
    { label: "Runs", value: formatCount(totals.runs) },
    { label: "Tokens in", value: formatCount(totals.tokensIn) },
    { label: "Tokens out", value: formatCount(totals.tokensOut) },
    { label: "Cost", value: formatCost(totals.costUsd) },
  ];
  return (
    <section aria-labelledby={headingId} className="mb-6">
      <h2 id={headingId} className="sr-only">
        Totals
      </h2>
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {figures.map(({ label, value }) => (
          <div key={label} className="glass rounded-2xl px-5 py-4">
            <dt className="text-xs font-medium tracking-wide text-slate-400 uppercase">{label}</dt>
            <dd className="mt-1 text-2xl font-semibold text-white tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      {report.saved.runs > 0 && (
        <p className="mt-3 text-sm text-slate-300" data-field="saved">
          {formatCount(report.saved.runs)} {report.saved.runs === 1 ? "run" : "runs"} answered from
          the response cache saved {formatCount(report.saved.tokens_in + report.saved.tokens_out)}{" "}
          tokens and {formatCost(Number(report.saved.cost_usd))}.
        </p>
      )}
    </section>
  );
}

function UsageReportView({ report }: { report: UsageReport }) {
  const totals = figuresOf(report.totals);
  if (report.group_by === "day") {
    const points = dailySeries(report);
    return (
      <div className="space-y-4">
        <DailyCharts points={points} tableName="Usage per day" />
        <DailyTable title="Usage per day" points={points} totals={totals} />
      </div>
    );
  }
  const noun = report.group_by;
  const title = `Usage by ${noun}`;
  const points = groupSeries(report);
  return (
    <div className="space-y-4">
      <GroupCharts points={points} noun={noun} tableName={title} />
      <GroupTable
        title={title}
        keyHeading={GROUPING_LABELS[noun]}
        points={points}
        totals={totals}
      />
    </div>
  );
}

export function UsagePage() {
  const { workspace } = useCurrentWorkspace();
  const [searchParams, setSearchParams] = useSearchParams();
  const view = viewFromParams(searchParams);
  const request: UsageRequest = { ...usagePeriod(view.days), groupBy: view.groupBy };
  const usage = useUsage(workspace.id, request);
  const report = usage.data;

  const change = (patch: Partial<UsageView>) => {
    setSearchParams((params) => writeView(params, { ...viewFromParams(params), ...patch }));
  };

  return (
    <>
      <title>{`Usage · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="Usage"
        description="Runs, tokens and cost by UTC day."
        actions={
          <a
            href={usageCsvUrl(workspace.id, request)}
            download
            className={buttonClasses("secondary")}
          >
            Export CSV
          </a>
        }
      />
      <div className="mb-6 flex flex-col gap-4 sm:flex-row sm:items-end">
        <SelectField
          label="Range"
          className="sm:w-44"
          value={view.days}
          onChange={(event) => {
            const days = Number(event.target.value);
            change({ days: isRange(days) ? days : view.days });
          }}
        >
          {USAGE_RANGES.map((days) => (
            <option key={days} value={days}>
              Last {days} days
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Group by"
          className="sm:w-44"
          value={view.groupBy}
          onChange={(event) => {
            const groupBy = event.target.value;
            change({ groupBy: isGrouping(groupBy) ? groupBy : view.groupBy });
          }}
        >
          {USAGE_GROUPINGS.map((grouping) => (
            <option key={grouping} value={grouping}>
              {GROUPING_LABELS[grouping]}
            </option>
          ))}
        </SelectField>
        {report && (
          <p className="text-xs text-slate-400 sm:ml-auto sm:text-right">
            {formatLongDay(report.from)} to {formatLongDay(report.to)} (UTC)
            <br />
            Refreshed every {USAGE_REFRESH_MS / 1000} seconds; updated{" "}
            {updatedAt.format(usage.dataUpdatedAt)}
          </p>
        )}
      </div>
      {report ? (
        <div aria-busy={usage.isPlaceholderData || undefined}>
          {usage.isError && (
            <Alert tone="warning" className="mb-6">
              The figures could not be refreshed: {usage.error.message}
            </Alert>
          )}
          {report.totals.runs === 0 ? (
            <EmptyState
              title={`No runs in the last ${view.days} days`}
              action={
                <Link to={`/w/${workspace.id}/agents`} className={buttonClasses("secondary")}>
                  Go to the agents
                </Link>
              }
            >
              Runs of this workspace&apos;s agents show up here within seconds of starting.
            </EmptyState>
          ) : (
            <>
              <Totals report={report} />
              <UsageReportView report={report} />
            </>
          )}
        </div>
      ) : usage.isError ? (
        <ErrorState
          title="The usage could not be loaded"
          message={usage.error.message}
          requestId={usage.error instanceof ApiProblem ? usage.error.requestId : null}
          onRetry={() => void usage.refetch()}
          retrying={usage.isFetching}
        />
      ) : (
        <UsageSkeleton />
      )}
    </>
  );
}
