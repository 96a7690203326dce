import { Fragment, useId, type ReactNode } from "react";
import { Link, useParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button, buttonClasses } from "../../components/ui/Button";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { LoadingRegion, Skeleton, TableSkeleton } from "../../components/ui/Skeleton";
import { classNames } from "../../lib/class-names";
import { formatDateTime, formatRelative } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import {
  firstLine,
  formatConfidence,
  formatCost,
  formatCount,
  formatLatency,
} from "../runs/run-format";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { countCases, firstFailure, formatPoints, formatScore } from "./eval-format";
import { EvalComparisonView } from "./EvalComparisonView";
import { CaseProgress, EvalRunBadge, PassRate, VerdictBadge } from "./EvalParts";
import {
  isLive,
  useCancelEvalRun,
  useEvalComparison,
  useEvalRun,
  useSuite,
  type EvalResult,
  type EvalRunDetail,
  type EvalTarget,
} from "./hooks";

/**
 * `/w/:workspaceId/agents/:agentId/evals/runs/:evalRunId`: an eval run as it goes: each
 * target's progress and figures side by side, every case's result, and with two targets
 * the cases compared (what regressed, what improved, how the answers differ).
 */
export function EvalRunPage() {
  const { workspace, team } = useCurrentWorkspace();
  const { agentId = "", evalRunId = "" } = useParams();
  const run = useEvalRun(workspace.id, agentId, evalRunId);
  const suite = useSuite(workspace.id, agentId, run.data?.suite_id ?? null);
  const live = run.data ? isLive(run.data) : false;
  const comparison = useEvalComparison(workspace.id, agentId, evalRunId, {
    enabled: run.data?.targets.length === 2,
    live,
    status: run.data?.status,
  });
  const evalsPath = `/w/${workspace.id}/agents/${agentId}/evals`;

  if (run.isPending) {
    return <TableSkeleton label="Loading the eval run" />;
  }
  if (run.isError) {
    return (
      <>
        <PageHeader title="Eval run" />
        <ErrorState
          title={
            run.error instanceof ApiProblem && run.error.status === 404
              ? "This eval run does not exist"
              : "The eval run could not be loaded"
          }
          message={run.error.message}
          onRetry={() => void run.refetch()}
          retrying={run.isFetching}
          action={
            <Link to={evalsPath} className={buttonClasses("ghost")}>
              All evaluations
            </Link>
          }
        />
      </>
    );
  }
  const data = run.data;
  const suiteName = suite.data?.name ?? "Eval run";
  const errorMessage =
    data.error && typeof data.error.message === "string" ? data.error.message : null;
  return (
    <>
      <title>{`${suiteName} · Evaluations · Luna`}</title>
      <PageHeader
        title={suiteName}
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <EvalRunBadge status={data.status} />
            <span>
              Started{" "}
              <time dateTime={data.created_at} title={formatDateTime(data.created_at)}>
                {formatRelative(data.created_at)}
              </time>
            </span>
            <span>
              {countCases(data.case_count)} · revision {data.suite_revision}
            </span>
          </span>
        }
        actions={
          <>
            <Link to={`${evalsPath}?suite=${data.suite_id}`} className={buttonClasses("secondary")}>
              All evaluations
            </Link>
            {live && team.role !== "viewer" && (
              <CancelEvalRun workspaceId={workspace.id} agentId={agentId} evalRunId={evalRunId} />
            )}
          </>
        }
      />
      <div className="space-y-10">
        {data.status === "failed" && (
          <Alert tone="error" title="The eval run failed">
            {errorMessage ?? "It stopped before every case was run."}
          </Alert>
        )}
        {data.status === "cancelled" && (
          <Alert tone="info">Cancelled: the figures cover the cases done before it stopped.</Alert>
        )}
        {live && <Progress run={data} />}
        <Figures run={data} />
        {data.targets.length === 2 &&
          (comparison.isPending ? (
            <LoadingRegion label="Loading the comparison">
              <Skeleton className="h-40 rounded-2xl" />
            </LoadingRegion>
          ) : comparison.isError ? (
            <ErrorState
              title="The comparison could not be loaded"
              message={comparison.error.message}
              onRetry={() => void comparison.refetch()}
              retrying={comparison.isFetching}
            />
          ) : (
            <EvalComparisonView workspaceId={workspace.id} comparison={comparison.data} />
          ))}
        <Results workspaceId={workspace.id} run={data} />
      </div>
    </>
  );
}

function CancelEvalRun({
  workspaceId,
  agentId,
  evalRunId,
}: {
  workspaceId: string;
  agentId: string;
  evalRunId: string;
}) {
  const cancel = useCancelEvalRun(workspaceId, agentId, evalRunId);
  const error = formErrors(cancel.error, []);
  return (
    <div className="flex flex-col items-end gap-2">
      <Button
        variant="secondary"
        loading={cancel.isPending}
        onClick={() => {
          cancel.mutate();
        }}
      >
        Cancel
      </Button>
      <FormAlert message={error.message} requestId={error.requestId} />
    </div>
  );
}

function Progress({ run }: { run: EvalRunDetail }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="glass space-y-3 rounded-2xl p-5">
      <h2 id={headingId} className="text-sm font-semibold text-white">
        {run.status === "queued" ? "Waiting to start" : "Running"}
      </h2>
      <div className="grid gap-4 sm:grid-cols-2">
        {run.targets.map((target) => (
          <CaseProgress
            key={target.position}
            label={target.label}
            done={target.cases_done}
            total={run.case_count}
          />
        ))}
      </div>
    </section>
  );
}

const signedDecimal = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: "exceptZero",
});
const signedUsd = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
  signDisplay: "exceptZero",
});
const signedCount = new Intl.NumberFormat(undefined, {
  maximumFractionDigits: 0,
  signDisplay: "exceptZero",
});

interface Figure {
  label: string;
  value: (target: EvalTarget) => ReactNode;
  /** The second target's change from the first, and whether it is for the better. */
  change?: (first: EvalTarget, second: EvalTarget) => { text: string; better: boolean } | null;
}

function changeOf(
  before: number | null,
  after: number | null,
  write: (difference: number) => string,
  higherIsBetter: boolean,
) {
  if (before === null || after === null || before === after) {
    return null;
  }
  return { text: write(after - before), better: after > before === higherIsBetter };
}

function figures(run: EvalRunDetail): Figure[] {
  return [
    {
      label: "Pass rate",
      value: (target) => <PassRate rate={target.pass_rate} wide />,
      change: (first, second) =>
        first.pass_rate === null || second.pass_rate === null
          ? null
          : changeOf(
              first.pass_rate,
              second.pass_rate,
              () => formatPoints(first.pass_rate ?? 0, second.pass_rate ?? 0),
              true,
            ),
    },
    {
      label: "Passed",
      value: (target) => `${target.cases_passed} of ${run.case_count}`,
    },
    {
      label: "Mean score",
      value: (target) => formatScore(target.mean_score),
      change: (first, second) =>
        changeOf(first.mean_score, second.mean_score, (d) => signedDecimal.format(d), true),
    },
    {
      label: "Tokens in / out",
      value: (target) => `${formatCount(target.tokens_in)} / ${formatCount(target.tokens_out)}`,
      change: (first, second) =>
        changeOf(
          first.tokens_in + first.tokens_out,
          second.tokens_in + second.tokens_out,
          (d) => signedCount.format(d),
          false,
        ),
    },
    {
      label: "Cost",
      value: (target) => formatCost(target.cost_usd),
      change: (first, second) =>
        changeOf(
          Number(first.cost_usd),
          Number(second.cost_usd),
          (d) => signedUsd.format(d),
          false,
        ),
    },
    {
      label: "Mean latency",
      value: (target) =>
        target.mean_latency_ms === null ? "–" : formatLatency(target.mean_latency_ms),
      change: (first, second) =>
        changeOf(
          first.mean_latency_ms,
          second.mean_latency_ms,
          (d) => `${d > 0 ? "+" : "−"}${formatLatency(Math.abs(d))}`,
          false,
        ),
    },
    {
      label: "Mean confidence",
      value: (target) =>
        target.mean_confidence === null ? "–" : formatConfidence(target.mean_confidence),
      change: (first, second) =>
        changeOf(
          first.mean_confidence,
          second.mean_confidence,
          () => formatPoints(first.mean_confidence ?? 0, second.mean_confidence ?? 0),
          true,
        ),
    },
  ];
}

/** Each target's figures side by side, with the second's change from the first. */
function Figures({ run }: { run: EvalRunDetail }) {
  const headingId = useId();
  const [first, second] = run.targets;
  const compared = first !== undefined && second !== undefined;
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <h2 id={headingId} className="text-lg font-semibold text-white">
        Summary
      </h2>
      <div
        role="region"
        aria-labelledby={headingId}
        tabIndex={0}
        className="glass overflow-x-auto rounded-2xl focus-visible:outline-2 focus-visible:outline-halo"
      >
        <table className="w-full min-w-[28rem] text-sm">
          <caption className="sr-only">Figures of each target</caption>
          <thead className="border-b border-white/10 text-xs text-slate-400">
            <tr>
              <th scope="col" className="px-4 py-2.5 text-left font-medium">
                <span className="sr-only">Figure</span>
              </th>
              {run.targets.map((target) => (
                <th
                  key={target.position}
                  scope="col"
                  className="px-4 py-2.5 text-right font-mono font-medium text-slate-200"
                >
                  {target.label}
                </th>
              ))}
              {compared && (
                <th scope="col" className="px-4 py-2.5 text-right font-medium">
                  Change
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-white/6">
            {figures(run).map((figure) => {
              const change = compared && figure.change ? figure.change(first, second) : null;
              return (
                <tr key={figure.label}>
                  <th
                    scope="row"
                    className="px-4 py-2.5 text-left font-normal whitespace-nowrap text-slate-400"
                  >
                    {figure.label}
                  </th>
                  {run.targets.map((target) => (
                    <td
                      key={target.position}
                      className="px-4 py-2.5 text-right whitespace-nowrap text-slate-100 tabular-nums"
                    >
                      {figure.value(target)}
                    </td>
                  ))}
                  {compared && (
                    <td
                      className={classNames(
                        "px-4 py-2.5 text-right whitespace-nowrap tabular-nums",
                        change === null
                          ? "text-slate-500"
                          : change.better
                            ? "text-emerald-300"
                            : "text-rose-300",
                      )}
                    >
                      {change?.text ?? "–"}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The cases of the run, each with every target's result (in target order). */
function casesOf(run: EvalRunDetail) {
  const byCase = new Map<
    string,
    { name: string; position: number; sides: (EvalResult | undefined)[] }
  >();
  for (const result of run.results) {
    const entry = byCase.get(result.case_id) ?? {
      name: result.case_name,
      position: result.position,
      sides: run.targets.map(() => undefined),
    };
    entry.sides[result.target] = result;
    byCase.set(result.case_id, entry);
  }
  return [...byCase.entries()]
    .map(([id, entry]) => ({ id, ...entry }))
    .sort((a, b) => a.position - b.position);
}

const HEAD = "px-3 py-2 font-medium whitespace-nowrap";
const CELL = "px-3 py-2.5 align-top";

function Results({ workspaceId, run }: { workspaceId: string; run: EvalRunDetail }) {
  const headingId = useId();
  const cases = casesOf(run);
  const single = run.targets.length === 1;
  const caption = "Results of each case";
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <h2 id={headingId} className="text-lg font-semibold text-white">
        Results
      </h2>
      {cases.length === 0 ? (
        <p className="rounded-xl border border-dashed border-white/12 px-4 py-6 text-center text-sm text-slate-400">
          No results yet.
        </p>
      ) : (
        <div
          role="region"
          aria-label={caption}
          tabIndex={0}
          className="glass overflow-x-auto rounded-2xl focus-visible:outline-2 focus-visible:outline-halo"
        >
          <table
            className={classNames(
              "w-full text-left text-sm",
              single ? "min-w-[48rem]" : "min-w-[64rem]",
            )}
          >
            <caption className="sr-only">{caption}</caption>
            <thead className="border-b border-white/10 text-xs text-slate-400">
              {single ? (
                <tr>
                  <th scope="col" className={HEAD}>
                    Case
                  </th>
                  <SideHeadings single />
                </tr>
              ) : (
                <>
                  <tr>
                    <th scope="col" rowSpan={2} className={classNames(HEAD, "align-bottom")}>
                      Case
                    </th>
                    {run.targets.map((target) => (
                      <th
                        key={target.position}
                        scope="colgroup"
                        colSpan={4}
                        className="border-l border-white/8 px-3 pt-2.5 font-mono font-medium text-slate-200"
                      >
                        {target.label}
                      </th>
                    ))}
                  </tr>
                  <tr>
                    {run.targets.map((target) => (
                      <SideHeadings key={target.position} single={false} />
                    ))}
                  </tr>
                </>
              )}
            </thead>
            <tbody className="divide-y divide-white/6">
              {cases.map((item) => (
                <tr key={item.id} className="transition-colors hover:bg-white/3">
                  <th scope="row" className={classNames(CELL, "font-medium text-white")}>
                    <span className="block max-w-48 truncate" title={item.name}>
                      {item.name}
                    </span>
                  </th>
                  {item.sides.map((side, index) => (
                    <SideCells
                      key={index}
                      workspaceId={workspaceId}
                      caseName={item.name}
                      label={run.targets[index]?.label ?? ""}
                      side={side}
                      single={single}
                    />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SideHeadings({ single }: { single: boolean }) {
  const headings = single
    ? ["Verdict", "Score", "Output", "Cost", "Latency", "Run"]
    : ["Verdict", "Score", "Output", "Run"];
  const numeric = new Set(["Score", "Cost", "Latency"]);
  return (
    <>
      {headings.map((heading, index) => (
        <th
          key={heading}
          scope="col"
          className={classNames(
            HEAD,
            numeric.has(heading) && "text-right",
            !single && index === 0 && "border-l border-white/8",
          )}
        >
          {heading}
        </th>
      ))}
    </>
  );
}

function SideCells({
  workspaceId,
  caseName,
  label,
  side,
  single,
}: {
  workspaceId: string;
  caseName: string;
  label: string;
  side: EvalResult | undefined;
  single: boolean;
}) {
  const edge = !single && "border-l border-white/8";
  if (!side) {
    return (
      <td colSpan={single ? 6 : 4} className={classNames(CELL, edge, "text-xs text-slate-400")}>
        Not run
      </td>
    );
  }
  const failure = side.status === "failed" ? firstFailure(side) : undefined;
  return (
    <Fragment>
      <td className={classNames(CELL, edge)}>
        <VerdictBadge status={side.status} />
      </td>
      <td className={classNames(CELL, "text-right text-slate-200 tabular-nums")}>
        {formatScore(side.score)}
      </td>
      <td className={CELL}>
        <div className={single ? "max-w-96" : "max-w-64"}>
          {side.output !== null && (
            <span className="block truncate text-slate-300" title={side.output}>
              {firstLine(side.output, 120) || <span className="text-slate-500">(empty)</span>}
            </span>
          )}
          {side.error && <span className="block text-xs text-rose-200">{side.error}</span>}
          {failure && (
            <span
              className="block truncate text-xs text-rose-200"
              title={failure.reason ?? undefined}
            >
              {failure.name}
              {failure.reason ? `: ${failure.reason}` : ""}
            </span>
          )}
        </div>
      </td>
      {single && (
        <>
          <td className={classNames(CELL, "text-right text-slate-300 tabular-nums")}>
            {formatCost(side.cost_usd)}
          </td>
          <td className={classNames(CELL, "text-right text-slate-300 tabular-nums")}>
            {side.latency_ms === null ? "–" : formatLatency(side.latency_ms)}
          </td>
        </>
      )}
      <td className={classNames(CELL, "whitespace-nowrap")}>
        {side.run_id ? (
          <Link
            to={`/w/${workspaceId}/runs/${side.run_id}`}
            aria-label={`Run of ${caseName} on ${label}`}
            className="text-luna-200 underline-offset-4 hover:underline"
          >
            Run
          </Link>
        ) : (
          <span className="text-slate-500">–</span>
        )}
      </td>
    </Fragment>
  );
}
