import { FileUp, Play, Plus } from "lucide-react";
import { useId, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button, buttonClasses } from "../../components/ui/Button";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { LoadingRegion, Skeleton, TableSkeleton } from "../../components/ui/Skeleton";
import { classNames } from "../../lib/class-names";
import { formatDateTime, formatRelative } from "../../lib/dates";
import { AgentLoadError } from "../agents/editor/AgentLoadError";
import { useAgent } from "../agents/editor/hooks";
import { useEnvironments } from "../agents/environments/hooks";
import { firstLine } from "../runs/run-format";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { checkSummary, countCases } from "./eval-format";
import { EvalRunBadge, PassRate } from "./EvalParts";
import {
  EVAL_RUNS_SHOWN,
  isLive,
  useEvalRuns,
  useSuite,
  useSuites,
  type EvalCase,
  type EvalRun,
  type Suite,
  type SuiteDetail,
} from "./hooks";
import { RunEvaluationDialog } from "./RunEvaluationDialog";
import {
  CaseDialog,
  DeleteCaseDialog,
  DeleteSuiteDialog,
  ImportCasesDialog,
  NewSuiteDialog,
} from "./SuiteDialogs";

/**
 * `/w/:workspaceId/agents/:agentId/evals`: the agent's suites of cases, the cases of the
 * one chosen (kept in the address as `?suite=`), and its eval runs.
 */
export function EvalsPage() {
  const { workspace, team } = useCurrentWorkspace();
  const { agentId = "" } = useParams();
  const agent = useAgent(workspace.id, agentId);
  const suites = useSuites(workspace.id, agentId);
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const canWrite = team.role !== "viewer";
  const agentPath = `/w/${workspace.id}/agents/${agentId}`;

  const items = suites.data ?? [];
  const asked = params.get("suite");
  const selected = items.find((suite) => suite.id === asked) ?? items[0] ?? null;
  const select = (suiteId: string | null) => {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (suiteId) {
          next.set("suite", suiteId);
        } else {
          next.delete("suite");
        }
        return next;
      },
      { replace: true },
    );
  };
  const open = () => {
    setNotice(null);
    setCreating(true);
  };

  if (agent.isError) {
    return (
      <>
        <PageHeader title="Evaluations" />
        <AgentLoadError
          error={agent.error}
          onRetry={() => void agent.refetch()}
          retrying={agent.isFetching}
          action={
            <Link to={`/w/${workspace.id}/agents`} className={buttonClasses("ghost")}>
              All agents
            </Link>
          }
        />
      </>
    );
  }

  return (
    <>
      <title>{`Evaluations · ${agent.data?.name ?? "Agent"} · Luna`}</title>
      <PageHeader
        title="Evaluations"
        description={
          <>
            <Link
              to={agentPath}
              className="font-medium text-luna-200 underline-offset-4 hover:underline"
            >
              {agent.data?.name ?? "Agent"}
            </Link>
            {" · "}Suites of cases that check the agent&apos;s answers, run against its versions.
          </>
        }
        actions={
          <>
            <Link to={agentPath} className={buttonClasses("secondary")}>
              Back to agent
            </Link>
            {canWrite && (
              <Button onClick={open}>
                <Plus aria-hidden="true" className="size-4" />
                New suite
              </Button>
            )}
          </>
        }
      />
      {notice && (
        <Alert tone="success" className="mb-6">
          {notice}
        </Alert>
      )}
      {suites.isPending ? (
        <TableSkeleton label="Loading the suites" />
      ) : suites.isError ? (
        <ErrorState
          title="The suites could not be loaded"
          message={suites.error.message}
          requestId={suites.error instanceof ApiProblem ? suites.error.requestId : null}
          onRetry={() => void suites.refetch()}
          retrying={suites.isFetching}
        />
      ) : selected === null ? (
        <EmptyState
          title="No suites yet"
          action={
            canWrite && (
              <Button variant="secondary" onClick={open}>
                Create a suite
              </Button>
            )
          }
        >
          A suite is a list of inputs and what their answers must hold to. Run it against a version
          to see what passes before you promote it.
        </EmptyState>
      ) : (
        <div className="grid gap-6 lg:grid-cols-[15rem_minmax(0,1fr)]">
          <SuiteList
            suites={items}
            selectedId={selected.id}
            onOpen={() => {
              setNotice(null);
            }}
          />
          <SuitePanel
            key={selected.id}
            workspaceId={workspace.id}
            agentId={agentId}
            suite={selected}
            currentVersion={agent.data?.current_version ?? null}
            canWrite={canWrite && agent.data?.status !== "archived"}
            onNotice={setNotice}
            onDeleted={(message) => {
              select(null);
              setNotice(message);
            }}
          />
        </div>
      )}
      {creating && (
        <NewSuiteDialog
          workspaceId={workspace.id}
          agentId={agentId}
          onClose={() => {
            setCreating(false);
          }}
          onCreated={(suite) => {
            setCreating(false);
            select(suite.id);
            setNotice(`${suite.name} is created. Add its cases, or import them from a file.`);
          }}
        />
      )}
    </>
  );
}

/** The agent's suites, each a link to itself (`?suite=`). */
function SuiteList({
  suites,
  selectedId,
  onOpen,
}: {
  suites: Suite[];
  selectedId: string;
  onOpen: () => void;
}) {
  return (
    <nav aria-label="Suites" className="min-w-0">
      <ul className="flex gap-2 overflow-x-auto pb-1 lg:flex-col lg:overflow-visible lg:pb-0">
        {suites.map((suite) => {
          const current = suite.id === selectedId;
          return (
            <li key={suite.id} className="shrink-0 lg:shrink">
              <Link
                to={{ search: `?suite=${suite.id}` }}
                replace
                preventScrollReset
                aria-current={current ? "page" : undefined}
                onClick={onOpen}
                className={classNames(
                  "block rounded-lg px-3 py-2 transition-colors",
                  current
                    ? "bg-white/10 text-white ring-1 ring-white/15 ring-inset"
                    : "text-slate-300 hover:bg-white/5 hover:text-white",
                )}
              >
                <span className="block truncate text-sm font-medium">{suite.name}</span>
                <span className="block text-xs text-slate-400">
                  {countCases(suite.case_count)} · rev. {suite.revision}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

type Asking =
  | { action: "add" | "import" | "run" | "delete-suite" }
  | { action: "edit" | "delete"; target: EvalCase }
  | { action: null };

interface SuitePanelProps {
  workspaceId: string;
  agentId: string;
  suite: Suite;
  /** The agent's current version; null while the agent loads. */
  currentVersion: number | null;
  canWrite: boolean;
  onNotice: (message: string | null) => void;
  onDeleted: (message: string) => void;
}

/** A suite: what it is, its cases, and its eval runs. */
function SuitePanel({
  workspaceId,
  agentId,
  suite,
  currentVersion,
  canWrite,
  onNotice,
  onDeleted,
}: SuitePanelProps) {
  const headingId = useId();
  const detail = useSuite(workspaceId, agentId, suite.id);
  const environments = useEnvironments(workspaceId, agentId);
  const [asking, setAsking] = useState<Asking>({ action: null });
  const close = () => {
    setAsking({ action: null });
  };
  const ask = (next: Asking) => {
    onNotice(null);
    setAsking(next);
  };
  const done = (message: string) => {
    setAsking({ action: null });
    onNotice(message);
  };
  const shown: Suite = detail.data ?? suite;

  return (
    <div className="min-w-0 space-y-10">
      <section aria-labelledby={headingId} className="space-y-4">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0">
            <h2 id={headingId} className="text-lg font-semibold break-words text-white">
              {shown.name}
            </h2>
            {shown.description && (
              <p className="mt-0.5 max-w-2xl text-sm text-slate-400">{shown.description}</p>
            )}
            <p className="mt-1 text-xs text-slate-400">
              {countCases(shown.case_count)} · revision {shown.revision} · updated{" "}
              <time dateTime={shown.updated_at} title={formatDateTime(shown.updated_at)}>
                {formatRelative(shown.updated_at)}
              </time>
            </p>
          </div>
          {canWrite && (
            <div className="flex flex-wrap gap-2 sm:shrink-0 sm:justify-end">
              <Button
                size="sm"
                disabled={shown.case_count === 0 || currentVersion === null}
                title={shown.case_count === 0 ? "Add a case first." : undefined}
                onClick={() => {
                  ask({ action: "run" });
                }}
              >
                <Play aria-hidden="true" className="size-3.5" />
                Run evaluation
              </Button>
              <Button
                size="sm"
                variant="secondary"
                onClick={() => {
                  ask({ action: "add" });
                }}
              >
                <Plus aria-hidden="true" className="size-3.5" />
                Add case
              </Button>
              <Button
                size="sm"
                variant="secondary"
                onClick={() => {
                  ask({ action: "import" });
                }}
              >
                <FileUp aria-hidden="true" className="size-3.5" />
                Import
              </Button>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => {
                  ask({ action: "delete-suite" });
                }}
              >
                Delete suite
              </Button>
            </div>
          )}
        </div>
        {detail.isPending ? (
          <TableSkeleton label="Loading the cases" />
        ) : detail.isError ? (
          <ErrorState
            title="The cases could not be loaded"
            message={detail.error.message}
            onRetry={() => void detail.refetch()}
            retrying={detail.isFetching}
          />
        ) : (
          <CasesTable
            suite={detail.data}
            canWrite={canWrite}
            onEdit={(target) => {
              ask({ action: "edit", target });
            }}
            onDelete={(target) => {
              ask({ action: "delete", target });
            }}
          />
        )}
      </section>
      <EvalRunsSection
        workspaceId={workspaceId}
        agentId={agentId}
        suite={shown}
        canWrite={canWrite}
      />
      {(asking.action === "add" || asking.action === "edit") && (
        <CaseDialog
          workspaceId={workspaceId}
          agentId={agentId}
          suiteId={suite.id}
          existing={asking.action === "edit" ? asking.target : undefined}
          onClose={close}
          onSaved={done}
        />
      )}
      {asking.action === "delete" && (
        <DeleteCaseDialog
          workspaceId={workspaceId}
          agentId={agentId}
          suiteId={suite.id}
          target={asking.target}
          onClose={close}
          onDeleted={done}
        />
      )}
      {asking.action === "import" && (
        <ImportCasesDialog
          workspaceId={workspaceId}
          agentId={agentId}
          suiteId={suite.id}
          onClose={close}
          onImported={done}
        />
      )}
      {asking.action === "delete-suite" && (
        <DeleteSuiteDialog
          workspaceId={workspaceId}
          agentId={agentId}
          suite={shown}
          onClose={close}
          onDeleted={(message) => {
            setAsking({ action: null });
            onDeleted(message);
          }}
        />
      )}
      {asking.action === "run" && currentVersion !== null && (
        <RunEvaluationDialog
          workspaceId={workspaceId}
          agentId={agentId}
          suite={shown}
          currentVersion={currentVersion}
          environments={environments.data ?? []}
          onClose={close}
        />
      )}
    </div>
  );
}

const HEAD = "px-3 py-2.5 font-medium whitespace-nowrap";
const CELL = "px-3 py-2.5 align-top";

function CasesTable({
  suite,
  canWrite,
  onEdit,
  onDelete,
}: {
  suite: SuiteDetail;
  canWrite: boolean;
  onEdit: (target: EvalCase) => void;
  onDelete: (target: EvalCase) => void;
}) {
  if (suite.cases.length === 0) {
    return (
      <p className="rounded-xl border border-dashed border-white/12 px-4 py-6 text-center text-sm text-slate-400">
        No cases yet.{" "}
        {canWrite ? "Add one, or import a CSV or JSON Lines file." : "A writer can add them."}
      </p>
    );
  }
  const caption = `Cases of ${suite.name}`;
  return (
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="glass overflow-x-auto rounded-2xl focus-visible:outline-2 focus-visible:outline-halo"
    >
      <table className="w-full min-w-[40rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-white/10 text-xs text-slate-400">
          <tr>
            <th scope="col" className={classNames(HEAD, "w-10 text-right")}>
              #
            </th>
            <th scope="col" className={HEAD}>
              Case
            </th>
            <th scope="col" className={HEAD}>
              Input
            </th>
            <th scope="col" className={HEAD}>
              Checks
            </th>
            {canWrite && (
              <th scope="col" className={HEAD}>
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-white/6">
          {suite.cases.map((item, index) => {
            const checks = checkSummary(item.checks);
            return (
              <tr key={item.id} className="transition-colors hover:bg-white/3">
                <td className={classNames(CELL, "text-right text-slate-400 tabular-nums")}>
                  {index + 1}
                </td>
                <th scope="row" className={classNames(CELL, "font-medium text-white")}>
                  <span className="block max-w-48 truncate" title={item.name}>
                    {item.name}
                  </span>
                </th>
                <td className={classNames(CELL, "text-slate-300")}>
                  <span className="block max-w-72 truncate" title={item.input}>
                    {firstLine(item.input, 90)}
                  </span>
                </td>
                <td className={CELL}>
                  {checks.length === 0 ? (
                    <span className="text-xs text-slate-400">Run succeeds</span>
                  ) : (
                    <ul aria-label={`Checks of ${item.name}`} className="flex flex-wrap gap-1">
                      {checks.map((check) => (
                        <li
                          key={check}
                          className="rounded bg-white/6 px-1.5 py-0.5 text-xs whitespace-nowrap text-slate-300"
                        >
                          {check}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                {canWrite && (
                  <td className={classNames(CELL, "text-right whitespace-nowrap")}>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Edit ${item.name}`}
                      onClick={() => {
                        onEdit(item);
                      }}
                    >
                      Edit
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Delete ${item.name}`}
                      onClick={() => {
                        onDelete(item);
                      }}
                    >
                      Delete
                    </Button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function EvalRunsSection({
  workspaceId,
  agentId,
  suite,
  canWrite,
}: {
  workspaceId: string;
  agentId: string;
  suite: Suite;
  canWrite: boolean;
}) {
  const headingId = useId();
  const runs = useEvalRuns(workspaceId, agentId, suite.id);
  const items = runs.data?.items ?? [];
  return (
    <section aria-labelledby={headingId} className="space-y-4">
      <div>
        <h2 id={headingId} className="text-lg font-semibold text-white">
          Eval runs
        </h2>
        <p className="mt-1 text-sm text-slate-400">
          The latest {EVAL_RUNS_SHOWN} of this suite, newest first.
        </p>
      </div>
      {runs.isPending ? (
        <LoadingRegion label="Loading the eval runs">
          <div className="space-y-2">
            <Skeleton className="h-12" />
            <Skeleton className="h-12" />
          </div>
        </LoadingRegion>
      ) : runs.isError ? (
        <ErrorState
          title="The eval runs could not be loaded"
          message={runs.error.message}
          onRetry={() => void runs.refetch()}
          retrying={runs.isFetching}
        />
      ) : items.length === 0 ? (
        <p className="rounded-xl border border-dashed border-white/12 px-4 py-6 text-center text-sm text-slate-400">
          Not run yet.
          {canWrite && " Run an evaluation to see which cases each version passes."}
        </p>
      ) : (
        <EvalRunsTable workspaceId={workspaceId} agentId={agentId} suite={suite} runs={items} />
      )}
    </section>
  );
}

function EvalRunsTable({
  workspaceId,
  agentId,
  suite,
  runs,
}: {
  workspaceId: string;
  agentId: string;
  suite: Suite;
  runs: EvalRun[];
}) {
  const caption = `Eval runs of ${suite.name}`;
  return (
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="glass overflow-x-auto rounded-2xl focus-visible:outline-2 focus-visible:outline-halo"
    >
      <table className="w-full min-w-[40rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-white/10 text-xs text-slate-400">
          <tr>
            <th scope="col" className={HEAD}>
              Started
            </th>
            <th scope="col" className={HEAD}>
              Status
            </th>
            <th scope="col" className={HEAD}>
              Targets
            </th>
            <th scope="col" className={classNames(HEAD, "text-right")}>
              Pass rate
            </th>
            <th scope="col" className={classNames(HEAD, "text-right")}>
              Revision
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-white/6">
          {runs.map((run) => (
            <tr key={run.id} className="transition-colors hover:bg-white/3">
              <th scope="row" className={classNames(CELL, "font-normal whitespace-nowrap")}>
                <Link
                  to={`/w/${workspaceId}/agents/${agentId}/evals/runs/${run.id}`}
                  className="font-medium text-luna-100 underline-offset-4 hover:underline"
                >
                  <time dateTime={run.created_at}>{formatDateTime(run.created_at)}</time>
                </Link>
                <span className="block text-xs text-slate-400">
                  {formatRelative(run.created_at)}
                </span>
              </th>
              <td className={CELL}>
                <EvalRunBadge status={run.status} />
              </td>
              <td className={CELL}>
                <ul className="space-y-1">
                  {run.targets.map((target) => (
                    <li
                      key={target.position}
                      className="flex h-5 items-center font-mono text-xs whitespace-nowrap text-slate-200"
                    >
                      {target.label}
                    </li>
                  ))}
                </ul>
              </td>
              <td className={classNames(CELL, "text-right")}>
                <ul className="space-y-1">
                  {run.targets.map((target) => (
                    <li
                      key={target.position}
                      className="flex h-5 items-center justify-end whitespace-nowrap"
                    >
                      {isLive(run) ? (
                        <span className="text-xs text-slate-400 tabular-nums">
                          {target.cases_done} of {run.case_count} done
                        </span>
                      ) : (
                        <PassRate rate={target.pass_rate} />
                      )}
                    </li>
                  ))}
                </ul>
              </td>
              <td
                className={classNames(CELL, "text-right text-slate-400 tabular-nums")}
                title={
                  run.suite_revision < suite.revision
                    ? "The cases changed since this eval run."
                    : undefined
                }
              >
                {run.suite_revision}
                {run.suite_revision < suite.revision && (
                  <span className="block text-xs">older</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
