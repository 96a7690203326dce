import { useQueryClient } from "@tanstack/react-query";
import { ChevronDown, ShieldCheck, Split } from "lucide-react";
import { useId, useState, type SubmitEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { ApiProblem } from "../../../api/client";
import { Alert } from "../../../components/ui/Alert";
import { Button } from "../../../components/ui/Button";
import { Card } from "../../../components/ui/Card";
import { ConfirmDialog } from "../../../components/ui/ConfirmDialog";
import { CopyField } from "../../../components/ui/CopyField";
import { Dialog } from "../../../components/ui/Dialog";
import { ErrorState } from "../../../components/ui/ErrorState";
import { FormAlert } from "../../../components/ui/FormAlert";
import { SelectField } from "../../../components/ui/SelectField";
import { LoadingRegion, Skeleton } from "../../../components/ui/Skeleton";
import { TextField } from "../../../components/ui/TextField";
import { classNames } from "../../../lib/class-names";
import { formatDateTime, formatRelative } from "../../../lib/dates";
import { textField } from "../../../lib/form-data";
import { formErrors, type FormErrors } from "../../../lib/form-errors";
import { formatRate } from "../../evals/eval-format";
import { useSuites, type Suite } from "../../evals/hooks";
import { formatCost, formatCount, formatLatency } from "../../runs/run-format";
import { writeComparison } from "../editor/version-view";
import type { AgentDetail } from "../hooks";
import {
  ENVIRONMENT_NAME_PATTERN,
  SUGGESTED_ENVIRONMENTS,
  environmentsKey,
  gateRefusal,
  isNoTrafficSplit,
  isSplit,
  useDeleteEnvironment,
  useEnvironments,
  useGateEnvironment,
  usePromoteEnvironment,
  useRollBackEnvironment,
  useSetEnvironment,
  useSplitEnvironment,
  useSplitResults,
  type Environment,
  type SplitArm,
  type SplitResults,
} from "./hooks";

interface EnvironmentsPanelProps {
  workspaceId: string;
  agent: AgentDetail;
  canWrite: boolean;
}

type Action = "promote" | "roll-back" | "delete" | "gate" | "split";

type Asking = { action: Action; environment: Environment } | { action: null };

/**
 * The agent's environments (development, staging, production…), the version each runs, its
 * release gate and traffic split, and, for those who may change the agent, setting,
 * promoting, rolling back, gating, splitting and deleting them.
 */
export function EnvironmentsPanel({ workspaceId, agent, canWrite }: EnvironmentsPanelProps) {
  const headingId = useId();
  const environments = useEnvironments(workspaceId, agent.id);
  const [asking, setAsking] = useState<Asking>({ action: null });
  const [notice, setNotice] = useState<string | null>(null);
  const items = environments.data ?? [];
  // The suites name the gates, and are what a gate may use.
  const suites = useSuites(workspaceId, agent.id, {
    enabled: asking.action === "gate" || items.some((environment) => environment.gate_suite_id),
  });
  const suiteNames = new Map((suites.data ?? []).map((suite) => [suite.id, suite.name]));
  const close = () => {
    setAsking({ action: null });
  };
  const changed = (message: string) => {
    setAsking({ action: null });
    setNotice(message);
  };
  const ask = (action: Action, environment: Environment) => {
    setNotice(null);
    setAsking({ action, environment });
  };

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId} className="text-lg font-semibold text-white">
        Environments
      </h2>
      <p className="mt-1 mb-4 text-sm text-slate-400">
        Pin what each environment runs; promote and roll back in one step.
      </p>
      {notice && (
        <Alert tone="success" className="mb-4">
          {notice}
        </Alert>
      )}
      <div className={classNames("grid gap-6", canWrite && "lg:grid-cols-[minmax(0,1fr)_20rem]")}>
        <div className="min-w-0 space-y-4">
          {environments.isPending ? (
            <LoadingRegion label="Loading the environments">
              <div className="space-y-2">
                <Skeleton className="h-16" />
                <Skeleton className="h-16" />
              </div>
            </LoadingRegion>
          ) : environments.isError ? (
            <ErrorState
              title="The environments could not be loaded"
              message={environments.error.message}
              requestId={
                environments.error instanceof ApiProblem ? environments.error.requestId : null
              }
              onRetry={() => void environments.refetch()}
              retrying={environments.isFetching}
            />
          ) : items.length === 0 ? (
            <p className="rounded-xl border border-dashed border-white/12 px-4 py-6 text-center text-sm text-slate-400">
              No environments yet. Pin production to a version so that edits reach it only when
              promoted.
            </p>
          ) : (
            <>
              <ul aria-label="Environments" className="space-y-2">
                {items.map((environment) => (
                  <EnvironmentItem
                    key={environment.name}
                    workspaceId={workspaceId}
                    agentId={agent.id}
                    environment={environment}
                    suiteName={
                      environment.gate_suite_id
                        ? (suiteNames.get(environment.gate_suite_id) ?? null)
                        : null
                    }
                    canWrite={canWrite}
                    canPromote={items.length > 1}
                    onAsk={(action) => {
                      ask(action, environment);
                    }}
                  />
                ))}
              </ul>
              <RunHint workspaceId={workspaceId} agentId={agent.id} environments={items} />
            </>
          )}
        </div>
        {canWrite && (
          <Card className="h-fit p-5">
            <SetEnvironmentForm
              // A new version of the agent is pre-selected as soon as it exists.
              key={agent.current_version}
              workspaceId={workspaceId}
              agent={agent}
              onSet={(environment) => {
                setNotice(`${environment.name} runs v${environment.version} now.`);
              }}
              onStart={() => {
                setNotice(null);
              }}
            />
          </Card>
        )}
      </div>
      {asking.action === "promote" && (
        <PromoteDialog
          workspaceId={workspaceId}
          agentId={agent.id}
          target={asking.environment}
          environments={items}
          onClose={close}
          onPromoted={(environment, source) => {
            changed(`${environment.name} runs v${environment.version} now, as ${source} does.`);
          }}
        />
      )}
      {asking.action === "gate" && (
        <GateDialog
          workspaceId={workspaceId}
          agentId={agent.id}
          environment={asking.environment}
          suites={suites.data}
          suitesError={suites.isError}
          onClose={close}
          onGated={changed}
        />
      )}
      {asking.action === "split" && (
        <SplitDialog
          workspaceId={workspaceId}
          agent={agent}
          environment={asking.environment}
          onClose={close}
          onSplit={changed}
        />
      )}
      {asking.action === "roll-back" && (
        <RollBackDialog
          workspaceId={workspaceId}
          agentId={agent.id}
          environment={asking.environment}
          onClose={close}
          onRolledBack={(environment) => {
            changed(`${environment.name} is back on v${environment.version}.`);
          }}
        />
      )}
      {asking.action === "delete" && (
        <DeleteDialog
          workspaceId={workspaceId}
          agentId={agent.id}
          environment={asking.environment}
          onClose={close}
          onDeleted={(name) => {
            changed(`${name} is deleted.`);
          }}
        />
      )}
    </section>
  );
}

interface EnvironmentItemProps {
  workspaceId: string;
  agentId: string;
  environment: Environment;
  /** The name of the suite that gates it; null while unknown (or without a gate). */
  suiteName: string | null;
  canWrite: boolean;
  /** Whether another environment exists to promote from. */
  canPromote: boolean;
  onAsk: (action: Action) => void;
}

function EnvironmentItem({
  workspaceId,
  agentId,
  environment,
  suiteName,
  canWrite,
  canPromote,
  onAsk,
}: EnvironmentItemProps) {
  const { name, version, previous_version: previous, updated_at: updatedAt } = environment;
  const gateSuite = environment.gate_suite_id ?? null;
  const floor = environment.gate_min_pass_rate ?? null;
  const splitVersion = environment.split_version ?? null;
  const splitting = isSplit(environment);
  const resultsId = useId();
  const [showingResults, setShowingResults] = useState(false);
  const resultsOpen = splitting && showingResults;
  return (
    <li className="glass rounded-xl px-4 py-3">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className="font-mono text-sm font-semibold break-all text-white">{name}</span>
        <VersionLink version={version} />
        {previous !== null && <span className="text-xs text-slate-400">was v{previous}</span>}
      </div>
      <p className="mt-0.5 text-xs text-slate-400">
        updated{" "}
        <time dateTime={updatedAt} title={formatDateTime(updatedAt)}>
          {formatRelative(updatedAt)}
        </time>
      </p>
      {(gateSuite !== null || splitting) && (
        <div className="mt-1.5 space-y-1 text-xs text-slate-300">
          {gateSuite !== null && (
            <p className="flex items-center gap-1.5">
              <ShieldCheck aria-hidden="true" className="size-3.5 shrink-0 text-emerald-300" />
              <span>
                Gate:{" "}
                <Link
                  to={`/w/${workspaceId}/agents/${agentId}/evals?suite=${gateSuite}`}
                  className="font-medium text-luna-200 underline-offset-4 hover:underline"
                >
                  {suiteName ?? "its suite"}
                </Link>
                {floor !== null && <>, at least {formatPercent(floor)}</>}
              </span>
            </p>
          )}
          {splitting && (
            <p className="flex flex-wrap items-center gap-x-1.5 gap-y-1">
              <Split aria-hidden="true" className="size-3.5 shrink-0 text-luna-300" />
              <span>
                Split: {environment.split_percent}% of runs to v{splitVersion}
              </span>
              <button
                type="button"
                aria-label={`Results of ${name}'s split`}
                aria-expanded={resultsOpen}
                aria-controls={resultsOpen ? resultsId : undefined}
                onClick={() => {
                  setShowingResults((showing) => !showing);
                }}
                className="-my-1 inline-flex items-center gap-0.5 rounded px-1 py-1 font-medium text-luna-200 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-halo"
              >
                Results
                <ChevronDown
                  aria-hidden="true"
                  className={classNames(
                    "size-3.5 transition-transform motion-reduce:transition-none",
                    resultsOpen && "rotate-180",
                  )}
                />
              </button>
            </p>
          )}
        </div>
      )}
      {resultsOpen && (
        <SplitResultsView
          id={resultsId}
          workspaceId={workspaceId}
          agentId={agentId}
          environment={environment}
        />
      )}
      {canWrite && (
        <div className="mt-2 flex flex-wrap gap-2">
          {canPromote && (
            <Button
              variant="secondary"
              size="sm"
              aria-label={`Promote ${name}`}
              onClick={() => {
                onAsk("promote");
              }}
            >
              Promote…
            </Button>
          )}
          {previous !== null && (
            <Button
              variant="secondary"
              size="sm"
              aria-label={`Roll back to v${previous}: ${name}`}
              onClick={() => {
                onAsk("roll-back");
              }}
            >
              Roll back to v{previous}
            </Button>
          )}
          <Button
            variant="secondary"
            size="sm"
            aria-label={`Gate ${name}`}
            onClick={() => {
              onAsk("gate");
            }}
          >
            Gate…
          </Button>
          <Button
            variant="secondary"
            size="sm"
            aria-label={`Split ${name}`}
            onClick={() => {
              onAsk("split");
            }}
          >
            Split…
          </Button>
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Delete ${name}`}
            onClick={() => {
              onAsk("delete");
            }}
          >
            Delete
          </Button>
        </div>
      )}
    </li>
  );
}

interface SplitResultsViewProps {
  id: string;
  workspaceId: string;
  agentId: string;
  environment: Environment;
}

/** A figure of the split's results, one row of the table. */
interface SplitFigure {
  label: string;
  value: (arm: SplitArm) => string;
}

const SPLIT_FIGURES: readonly SplitFigure[] = [
  { label: "Share", value: (arm) => formatRate(arm.share_percent / 100) },
  { label: "Runs", value: (arm) => formatCount(arm.runs) },
  {
    label: "Succeeded",
    value: (arm) => `${formatCount(arm.succeeded)} of ${formatCount(arm.finished)}`,
  },
  { label: "Success rate", value: (arm) => formatRate(arm.success_rate) },
  {
    label: "Mean latency",
    value: (arm) => (arm.mean_latency_ms === null ? "–" : formatLatency(arm.mean_latency_ms)),
  },
  {
    label: "Mean cost",
    value: (arm) => (arm.mean_cost_usd === null ? "–" : formatCost(arm.mean_cost_usd)),
  },
  {
    label: "Tokens in / out",
    value: (arm) => `${formatCount(arm.tokens_in)} / ${formatCount(arm.tokens_out)}`,
  },
];

/**
 * The traffic split's two versions side by side (the environment's own first, then the one
 * the split sends runs to), over the runs that asked for the environment since it began.
 */
function SplitResultsView({ id, workspaceId, agentId, environment }: SplitResultsViewProps) {
  const queryClient = useQueryClient();
  const results = useSplitResults(workspaceId, agentId, environment);
  const { name } = environment;
  const ended = results.isError && isNoTrafficSplit(results.error);
  return (
    <div id={id} className="mt-2 border-t border-white/10 pt-2">
      {results.isPending ? (
        <LoadingRegion label={`Loading the results of ${name}'s split`}>
          <Skeleton className="h-40" />
        </LoadingRegion>
      ) : results.isError ? (
        <ErrorState
          title={
            ended ? `${name} has no traffic split now` : "The split's results could not be loaded"
          }
          message={results.error.message}
          requestId={results.error instanceof ApiProblem ? results.error.requestId : null}
          onRetry={() => {
            if (ended) {
              // The list is out of date: fetched again, it shows the split as it is.
              void queryClient.invalidateQueries({
                queryKey: environmentsKey(workspaceId, agentId),
              });
            } else {
              void results.refetch();
            }
          }}
          retrying={results.isFetching}
        />
      ) : (
        <SplitResultsTable name={name} results={results.data} />
      )}
    </div>
  );
}

/** The arms' figures, one column each; a line instead while no run went through. */
function SplitResultsTable({ name, results }: { name: string; results: SplitResults }) {
  const headingId = useId();
  const { arms, since } = results;
  return (
    <>
      <h3 id={headingId} className="text-xs font-semibold text-white">
        Results{" "}
        <span className="font-normal text-slate-400">
          since{" "}
          <time dateTime={since} title={formatDateTime(since)}>
            {formatRelative(since)}
          </time>
        </span>
      </h3>
      {arms.every((arm) => arm.runs === 0) ? (
        <p className="mt-2 text-xs text-slate-400">No runs through {name} since the split began.</p>
      ) : (
        <div
          role="region"
          aria-labelledby={headingId}
          tabIndex={0}
          className="mt-2 overflow-x-auto rounded-lg focus-visible:outline-2 focus-visible:outline-halo"
        >
          <table className="w-full min-w-[17rem] text-xs">
            <caption className="sr-only">
              The runs of each version of {name} since the split began
            </caption>
            <thead className="border-b border-white/10 text-slate-400">
              <tr>
                <th scope="col" className="py-1.5 pr-3 text-left font-medium">
                  <span className="sr-only">Figure</span>
                </th>
                {arms.map((arm, index) => (
                  <th
                    key={arm.version}
                    scope="col"
                    className="px-3 py-1.5 text-right font-medium whitespace-nowrap text-slate-200"
                  >
                    v{arm.version}{" "}
                    <span className="font-normal text-slate-400">
                      ({index === 0 ? "main" : "split"})
                    </span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-white/6">
              {SPLIT_FIGURES.map((figure) => (
                <tr key={figure.label}>
                  <th
                    scope="row"
                    className="py-1.5 pr-3 text-left font-normal whitespace-nowrap text-slate-400"
                  >
                    {figure.label}
                  </th>
                  {arms.map((arm) => (
                    <td
                      key={arm.version}
                      className="px-3 py-1.5 text-right whitespace-nowrap text-slate-100 tabular-nums"
                    >
                      {figure.value(arm)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** "v5", leading to that version's changes in the history (kept in the address). */
function VersionLink({ version }: { version: number }) {
  const [searchParams] = useSearchParams();
  const params = writeComparison(new URLSearchParams(searchParams), {
    from: version > 1 ? version - 1 : null,
    to: version,
  });
  return (
    <Link
      to={{ search: `?${params.toString()}` }}
      replace
      preventScrollReset
      title={`Show the changes of version ${version} in the history`}
      className="inline-flex items-center rounded-md bg-luna-500/15 px-1.5 py-0.5 text-xs font-medium whitespace-nowrap text-luna-200 ring-1 ring-luna-400/30 ring-inset hover:bg-luna-500/25"
    >
      v{version}
    </Link>
  );
}

/** How a run asks for an environment: `agt_...@production`. */
function RunHint({
  workspaceId,
  agentId,
  environments,
}: {
  workspaceId: string;
  agentId: string;
  environments: Environment[];
}) {
  const example =
    environments.find((environment) => environment.name === "production") ?? environments[0];
  if (!example) {
    return null;
  }
  const reference = `${agentId}@${example.name}`;
  return (
    <div className="space-y-1">
      <CopyField label="Run it with" value={reference} />
      <p className="text-xs text-slate-400">
        <code className="font-mono break-all text-slate-300">
          POST /api/v1/workspaces/{workspaceId}/agents/{reference}/runs
        </code>{" "}
        runs the version {example.name} pins; any environment&apos;s name works after the{" "}
        <code className="font-mono">@</code>.
      </p>
    </div>
  );
}

const SET_FIELDS = ["name", "version"] as const;

interface SetEnvironmentFormProps {
  workspaceId: string;
  agent: AgentDetail;
  onStart: () => void;
  onSet: (environment: Environment) => void;
}

/** Points an environment (new or not) at one of the agent's versions. */
function SetEnvironmentForm({ workspaceId, agent, onStart, onSet }: SetEnvironmentFormProps) {
  const headingId = useId();
  const suggestionsId = useId();
  const set = useSetEnvironment(workspaceId, agent.id);
  const errors = formErrors(set.error, SET_FIELDS);
  const numbers = Array.from(
    { length: agent.current_version },
    (_, index) => agent.current_version - index,
  );

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    onStart();
    set.mutate(
      { name: textField(data, "name").trim(), version: Number(textField(data, "version")) },
      {
        onSuccess: (environment) => {
          form.reset();
          onSet(environment);
        },
      },
    );
  }

  return (
    <form aria-labelledby={headingId} onSubmit={submit} className="space-y-4">
      <h3 id={headingId} className="text-sm font-semibold text-white">
        Set environment
      </h3>
      <ChangeAlert
        error={set.error}
        errors={errors}
        evalsPath={`/w/${workspaceId}/agents/${agent.id}/evals`}
      />
      <TextField
        label="Environment"
        name="name"
        required
        maxLength={40}
        pattern={ENVIRONMENT_NAME_PATTERN}
        title="Lower-case letters, digits and dashes, starting with a letter."
        placeholder="production"
        list={suggestionsId}
        autoCapitalize="none"
        autoComplete="off"
        spellCheck={false}
        error={errors.fields.name}
      />
      <datalist id={suggestionsId}>
        {SUGGESTED_ENVIRONMENTS.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <SelectField
        label="Version"
        name="version"
        defaultValue={agent.current_version}
        error={errors.fields.version}
      >
        {numbers.map((number) => (
          <option key={number} value={number}>
            v{number}
            {number === agent.current_version ? " (current)" : ""}
          </option>
        ))}
      </SelectField>
      <Button type="submit" loading={set.isPending} className="w-full">
        Set
      </Button>
    </form>
  );
}

/** The environment to promote from by default: the stage before the target, or the first. */
function defaultSource(target: Environment, others: Environment[]): Environment | undefined {
  const stages: readonly string[] = SUGGESTED_ENVIRONMENTS;
  const stage = stages.indexOf(target.name);
  const before = stage > 0 ? stages[stage - 1] : undefined;
  return others.find((environment) => environment.name === before) ?? others[0];
}

interface PromoteDialogProps {
  workspaceId: string;
  agentId: string;
  target: Environment;
  environments: Environment[];
  onClose: () => void;
  onPromoted: (environment: Environment, source: string) => void;
}

function PromoteDialog({
  workspaceId,
  agentId,
  target,
  environments,
  onClose,
  onPromoted,
}: PromoteDialogProps) {
  const promote = usePromoteEnvironment(workspaceId, agentId);
  const others = environments.filter((environment) => environment.name !== target.name);
  const [sourceName, setSourceName] = useState(defaultSource(target, others)?.name ?? "");
  const source = others.find((environment) => environment.name === sourceName);
  const errors = formErrors(promote.error, ["source"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    promote.mutate(
      { name: target.name, source: sourceName },
      {
        onSuccess: (environment) => {
          onPromoted(environment, sourceName);
        },
      },
    );
  }

  return (
    <Dialog
      open
      onClose={onClose}
      dismissible={!promote.isPending}
      title={`Promote to ${target.name}`}
      description={`${target.name} then runs the version the environment you choose runs; v${target.version} is kept for a roll back.`}
    >
      <form onSubmit={submit} className="space-y-4">
        <ChangeAlert
          error={promote.error}
          errors={errors}
          evalsPath={`/w/${workspaceId}/agents/${agentId}/evals`}
        />
        <SelectField
          label="From"
          name="source"
          value={sourceName}
          onChange={(event) => {
            setSourceName(event.target.value);
          }}
          error={errors.fields.source}
        >
          {others.map((environment) => (
            <option key={environment.name} value={environment.name}>
              {environment.name} (v{environment.version})
            </option>
          ))}
        </SelectField>
        {source && (
          <p className="text-sm text-slate-300">
            <span className="font-mono">{source.name}</span> runs v{source.version} →{" "}
            <span className="font-mono">{target.name}</span>
            <span className="text-slate-400"> (now v{target.version})</span>
          </p>
        )}
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={promote.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={promote.isPending} disabled={!source}>
            Promote
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

interface EnvironmentDialogProps {
  workspaceId: string;
  agentId: string;
  environment: Environment;
  onClose: () => void;
}

function RollBackDialog({
  workspaceId,
  agentId,
  environment,
  onClose,
  onRolledBack,
}: EnvironmentDialogProps & { onRolledBack: (environment: Environment) => void }) {
  const rollBack = useRollBackEnvironment(workspaceId, agentId);
  const { name, version, previous_version: previous } = environment;
  return (
    <ConfirmDialog
      title={`Roll back ${name} to v${previous ?? ""}?`}
      description={`${name} runs v${previous ?? ""} again instead of v${version}; rolling back once more returns it to v${version}.`}
      confirmLabel={`Roll back to v${previous ?? ""}`}
      confirmVariant="primary"
      busy={rollBack.isPending}
      error={formErrors(rollBack.error, [])}
      onClose={onClose}
      onConfirm={() => {
        rollBack.mutate(name, { onSuccess: onRolledBack });
      }}
    />
  );
}

function DeleteDialog({
  workspaceId,
  agentId,
  environment,
  onClose,
  onDeleted,
}: EnvironmentDialogProps & { onDeleted: (name: string) => void }) {
  const remove = useDeleteEnvironment(workspaceId, agentId);
  const { name } = environment;
  return (
    <ConfirmDialog
      title={`Delete ${name}?`}
      description={`Runs that ask for ${agentId}@${name} are refused from then on. The agent's versions stay as they are.`}
      confirmLabel="Delete environment"
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(name, {
          onSuccess: () => {
            onDeleted(name);
          },
        });
      }}
    />
  );
}

const percentFormat = new Intl.NumberFormat(undefined, {
  style: "percent",
  maximumFractionDigits: 1,
});

/** "90%", from a rate between 0 and 1. */
function formatPercent(rate: number): string {
  return percentFormat.format(rate);
}

/**
 * Why a version could not be set or promoted: the release gate's verdict (409
 * `eval-gate-failed`) on its own, with the way to the evaluations; any other problem as usual.
 */
function ChangeAlert({
  error,
  errors,
  evalsPath,
}: {
  error: unknown;
  errors: FormErrors;
  evalsPath: string;
}) {
  const verdict = gateRefusal(error);
  if (verdict === null) {
    return <FormAlert message={errors.message} requestId={errors.requestId} />;
  }
  return (
    <Alert tone="error" title="Stopped by the release gate">
      <p>{verdict}</p>
      <p className="mt-1">
        <Link to={evalsPath} className="font-medium underline underline-offset-4">
          Run an evaluation
        </Link>{" "}
        of the version, then try again.
      </p>
    </Alert>
  );
}

interface GateDialogProps {
  workspaceId: string;
  agentId: string;
  environment: Environment;
  /** The agent's suites; undefined while they load. */
  suites: Suite[] | undefined;
  suitesError: boolean;
  onClose: () => void;
  onGated: (message: string) => void;
}

/** Gates an environment on a suite (with an optional floor), or lifts its gate. */
function GateDialog({
  workspaceId,
  agentId,
  environment,
  suites,
  suitesError,
  onClose,
  onGated,
}: GateDialogProps) {
  const gate = useGateEnvironment(workspaceId, agentId);
  const { name } = environment;
  const [suiteId, setSuiteId] = useState(environment.gate_suite_id ?? "");
  const errors = formErrors(gate.error, ["suite_id", "min_pass_rate"]);
  const floor = environment.gate_min_pass_rate;
  const evalsPath = `/w/${workspaceId}/agents/${agentId}/evals`;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const percent = textField(new FormData(event.currentTarget), "min_pass_rate").trim();
    const chosen = suites?.find((suite) => suite.id === suiteId);
    gate.mutate(
      {
        name,
        suiteId: chosen ? chosen.id : null,
        minPassRate: chosen && percent ? Number(percent) / 100 : null,
      },
      {
        onSuccess: (gated) => {
          onGated(
            chosen
              ? `${gated.name} is gated by ${chosen.name}.`
              : `${gated.name} has no release gate now.`,
          );
        },
      },
    );
  }

  return (
    <Dialog
      open
      onClose={onClose}
      dismissible={!gate.isPending}
      title={`Release gate of ${name}`}
      description="A version comes in only after a finished eval run of the suite, at its current revision, that passes no fewer cases than the version it replaces."
    >
      <form onSubmit={submit} className="space-y-4">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        {suitesError && (
          <Alert tone="error">The suites could not be loaded. Close this and try again.</Alert>
        )}
        {suites?.length === 0 && (
          <p className="text-sm text-slate-300">
            This agent has no suites yet.{" "}
            <Link to={evalsPath} className="text-luna-200 underline underline-offset-4">
              Create one in Evaluations
            </Link>
            .
          </p>
        )}
        <SelectField
          label="Suite"
          name="suite_id"
          value={suiteId}
          disabled={suites === undefined}
          error={errors.fields.suite_id}
          onChange={(event) => {
            setSuiteId(event.target.value);
          }}
        >
          <option value="">No gate</option>
          {(suites ?? []).map((suite) => (
            <option key={suite.id} value={suite.id}>
              {suite.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Floor (%)"
          name="min_pass_rate"
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          step={1}
          placeholder="90"
          disabled={suiteId === ""}
          defaultValue={floor === null || floor === undefined ? "" : Math.round(floor * 100)}
          description="Optional: the least pass rate a version needs, whatever the current one passes."
          error={errors.fields.min_pass_rate}
        />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={gate.isPending}>
            Cancel
          </Button>
          <Button
            type="submit"
            loading={gate.isPending}
            disabled={suites === undefined || (suiteId === "" && !environment.gate_suite_id)}
          >
            {suiteId === "" ? "Lift gate" : "Save gate"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

interface SplitDialogProps {
  workspaceId: string;
  agent: AgentDetail;
  environment: Environment;
  onClose: () => void;
  onSplit: (message: string) => void;
}

/** Sends a share of an environment's runs to another version, or ends the split. */
function SplitDialog({ workspaceId, agent, environment, onClose, onSplit }: SplitDialogProps) {
  const split = useSplitEnvironment(workspaceId, agent.id);
  const { name } = environment;
  const current = environment.split_version ?? null;
  const [version, setVersion] = useState(current === null ? "" : String(current));
  const errors = formErrors(split.error, ["version", "percent"]);
  const numbers = Array.from(
    { length: agent.current_version },
    (_, index) => agent.current_version - index,
  ).filter((number) => number !== environment.version);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const percent = Number(textField(new FormData(event.currentTarget), "percent").trim() || 0);
    const chosen = version === "" ? null : Number(version);
    split.mutate(
      { name, version: chosen, percent: chosen === null ? 0 : percent },
      {
        onSuccess: (changed) => {
          onSplit(
            chosen === null || percent === 0
              ? `${changed.name} runs v${changed.version} only now.`
              : `${percent}% of ${changed.name}'s runs go to v${chosen} now.`,
          );
        },
      },
    );
  }

  return (
    <Dialog
      open
      onClose={onClose}
      dismissible={!split.isPending}
      title={`Traffic split of ${name}`}
      description={`A share of the runs that ask for ${name} run another version instead of v${environment.version}, to compare them on real traffic.`}
    >
      <form onSubmit={submit} className="space-y-4">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <SelectField
          label="Version"
          name="version"
          value={version}
          error={errors.fields.version}
          onChange={(event) => {
            setVersion(event.target.value);
          }}
        >
          <option value="">No split</option>
          {numbers.map((number) => (
            <option key={number} value={number}>
              v{number}
              {number === agent.current_version ? " (current)" : ""}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Share of runs (%)"
          name="percent"
          type="number"
          inputMode="numeric"
          min={1}
          max={100}
          step={1}
          required={version !== ""}
          disabled={version === ""}
          defaultValue={environment.split_percent > 0 ? environment.split_percent : 10}
          error={errors.fields.percent}
        />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={split.isPending}>
            Cancel
          </Button>
          <Button
            type="submit"
            loading={split.isPending}
            disabled={version === "" && (current === null || environment.split_percent === 0)}
          >
            {version === "" ? "End split" : "Save split"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
