import { OctagonX, Plus } from "lucide-react";
import { useId, useMemo, useState, type SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { CursorPager } from "../../components/ui/CursorPager";
import { Dialog } from "../../components/ui/Dialog";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { SelectField } from "../../components/ui/SelectField";
import { LoadingRegion, Skeleton, TableSkeleton } from "../../components/ui/Skeleton";
import { TextField } from "../../components/ui/TextField";
import { classNames } from "../../lib/class-names";
import { formatDateTime, formatRelative } from "../../lib/dates";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useCursorParam } from "../../lib/use-cursor-param";
import { apiKeyStatus, useApiKeys } from "../api-keys/hooks";
import { mayManageProviders } from "../providers/permissions";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import {
  SCOPES,
  countOf,
  editableAmount,
  formatTokens,
  formatUsd,
  limitsText,
  scopeLabel,
  subjectKind,
  subjectText,
  type SubjectNames,
} from "./budget-text";
import {
  useBudgetAgents,
  useBudgets,
  useCreateBudget,
  useDeleteBudget,
  useEngageKillSwitch,
  useKillSwitch,
  useLiftKillSwitch,
  useUpdateBudget,
  type Budget,
  type BudgetScope,
  type KillSwitch,
} from "./hooks";

interface Subject {
  id: string;
  name: string;
}

/** What a subject can be, for the form: the workspace's active agents and keys. */
interface SubjectChoices {
  agents: Subject[];
  apiKeys: Subject[];
}

/**
 * `/w/:workspaceId/budgets`: the workspace's kill switch, and its budgets (per run, per
 * agent or API key per day, per month), each with what is spent against it.
 */
export function BudgetsPage() {
  const { workspace, team } = useCurrentWorkspace();
  const canManage = mayManageProviders(team.role);
  const { cursors, cursor, moveCursors } = useCursorParam();
  const budgets = useBudgets(workspace.id, cursor);
  const agents = useBudgetAgents(workspace.id);
  const apiKeys = useApiKeys(workspace.id);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Budget | null>(null);
  const [deleting, setDeleting] = useState<Budget | null>(null);

  const names = useMemo<SubjectNames>(
    () => ({
      agents: new Map((agents.data ?? []).map((agent) => [agent.id, agent.name])),
      apiKeys: new Map((apiKeys.data ?? []).map((key) => [key.id, key.name])),
    }),
    [agents.data, apiKeys.data],
  );
  const choices = useMemo<SubjectChoices>(
    () => ({
      agents: (agents.data ?? []).filter((agent) => agent.status === "active"),
      apiKeys: (apiKeys.data ?? []).filter((key) => apiKeyStatus(key) === "active"),
    }),
    [agents.data, apiKeys.data],
  );
  const titleOf = (budget: Budget) => {
    const subject = subjectText(budget, names);
    return subject === null ? scopeLabel(budget.scope) : `${scopeLabel(budget.scope)} · ${subject}`;
  };

  const open = () => {
    setCreating(true);
  };
  return (
    <>
      <title>{`Budgets · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="Budgets"
        description="Cap what runs may spend, in tokens or dollars. Days and months are in UTC."
        actions={
          canManage && (
            <Button onClick={open}>
              <Plus aria-hidden="true" className="size-4" />
              Add budget
            </Button>
          )
        }
      />
      {!canManage && (
        <p className="mb-6 text-sm text-slate-400">
          Only the owners and admins of {team.name} can change budgets or the kill switch; your role
          is {team.role}.
        </p>
      )}
      <KillSwitchPanel workspaceId={workspace.id} canManage={canManage} />
      {budgets.isPending ? (
        <TableSkeleton label="Loading budgets" />
      ) : budgets.isError ? (
        <ErrorState
          title="The budgets could not be loaded"
          message={budgets.error.message}
          onRetry={() => void budgets.refetch()}
          retrying={budgets.isFetching}
        />
      ) : budgets.data.items.length === 0 ? (
        <EmptyState
          title="No budgets yet"
          action={
            canManage && (
              <Button variant="secondary" onClick={open}>
                Add a budget
              </Button>
            )
          }
        >
          A budget stops a run before the model request that would cross it: per run, per agent or
          API key per day, or for the whole workspace per month.
        </EmptyState>
      ) : (
        <ul className="space-y-4" aria-label="Budgets">
          {budgets.data.items.map((budget) => (
            <BudgetCard
              key={budget.id}
              budget={budget}
              subject={subjectText(budget, names)}
              canManage={canManage}
              onEdit={() => {
                setEditing(budget);
              }}
              onDelete={() => {
                setDeleting(budget);
              }}
            />
          ))}
        </ul>
      )}
      {budgets.data && (
        <CursorPager
          of="budgets"
          cursors={cursors}
          nextCursor={budgets.data.next_cursor}
          loading={budgets.isPlaceholderData}
          onCursorsChange={moveCursors}
        />
      )}
      {creating && (
        <NewBudgetDialog
          workspaceId={workspace.id}
          choices={choices}
          onClose={() => {
            setCreating(false);
          }}
        />
      )}
      {editing && (
        <EditBudgetDialog
          workspaceId={workspace.id}
          budget={editing}
          title={titleOf(editing)}
          onClose={() => {
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <DeleteBudget
          workspaceId={workspace.id}
          budget={deleting}
          title={titleOf(deleting)}
          onClose={() => {
            setDeleting(null);
          }}
        />
      )}
    </>
  );
}

function KillSwitchPanel({ workspaceId, canManage }: { workspaceId: string; canManage: boolean }) {
  const killSwitch = useKillSwitch(workspaceId);
  const lift = useLiftKillSwitch(workspaceId);
  const [engaging, setEngaging] = useState(false);
  // How many runs the engagement stopped: only the answer to engaging it says.
  const [stopped, setStopped] = useState<KillSwitch | null>(null);

  if (killSwitch.isPending) {
    return (
      <div className="mb-8">
        <LoadingRegion label="Loading the kill switch">
          <Skeleton className="h-24 rounded-2xl" />
        </LoadingRegion>
      </div>
    );
  }
  if (killSwitch.isError) {
    return (
      <div className="mb-8">
        <ErrorState
          title="The kill switch could not be loaded"
          message={killSwitch.error.message}
          onRetry={() => void killSwitch.refetch()}
          retrying={killSwitch.isFetching}
        />
      </div>
    );
  }
  return (
    <>
      {killSwitch.data.engaged ? (
        <EngagedPanel
          state={killSwitch.data}
          stopped={stopped}
          canManage={canManage}
          lifting={lift.isPending}
          liftError={formErrors(lift.error, [])}
          onLift={() => {
            lift.mutate(undefined, {
              onSuccess: () => {
                setStopped(null);
              },
            });
          }}
        />
      ) : (
        <OffPanel
          canManage={canManage}
          onEngage={() => {
            lift.reset();
            setEngaging(true);
          }}
        />
      )}
      {engaging && (
        <EngageKillSwitch
          workspaceId={workspaceId}
          onEngaged={setStopped}
          onClose={() => {
            setEngaging(false);
          }}
        />
      )}
    </>
  );
}

function OffPanel({ canManage, onEngage }: { canManage: boolean; onEngage: () => void }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="glass mb-8 rounded-2xl p-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <h2 id={headingId} className="flex items-center gap-2 font-semibold text-white">
            <OctagonX aria-hidden="true" className="size-4 shrink-0 text-rose-300" />
            Kill switch
          </h2>
          <p className="text-sm text-slate-300">
            Stops every run and chain run of this workspace at once and refuses new ones until
            lifted.
          </p>
        </div>
        {canManage && (
          <Button variant="danger" onClick={onEngage}>
            Engage kill switch
          </Button>
        )}
      </div>
    </section>
  );
}

function EngagedPanel({
  state,
  stopped,
  canManage,
  lifting,
  liftError,
  onLift,
}: {
  state: KillSwitch;
  stopped: KillSwitch | null;
  canManage: boolean;
  lifting: boolean;
  liftError: { message: string | null; requestId: string | null };
  onLift: () => void;
}) {
  const headingId = useId();
  return (
    <section
      aria-labelledby={headingId}
      className="mb-8 rounded-2xl border border-rose-400/40 bg-rose-500/10 p-5 text-rose-100"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1.5">
          <h2 id={headingId} className="flex items-center gap-2 font-semibold text-rose-50">
            <OctagonX aria-hidden="true" className="size-4 shrink-0 text-rose-300" />
            Kill switch engaged
          </h2>
          <p className="text-sm">
            {state.engaged_at && (
              <>
                Engaged{" "}
                <time dateTime={state.engaged_at} title={formatDateTime(state.engaged_at)}>
                  {formatRelative(state.engaged_at)}
                </time>
                .{" "}
              </>
            )}
            No run or chain run starts until it is lifted.
          </p>
          {state.reason && <p className="text-sm">Reason: {state.reason}</p>}
          {stopped && (
            <p className="text-sm">
              {stopped.runs_cancelled + stopped.chain_runs_cancelled === 0 ? (
                "Nothing was running."
              ) : (
                <>
                  Stopped {countOf(stopped.runs_cancelled, "run")} and{" "}
                  {countOf(stopped.chain_runs_cancelled, "chain run")}.
                </>
              )}
            </p>
          )}
        </div>
        {canManage && (
          <Button variant="secondary" loading={lifting} onClick={onLift}>
            Lift
          </Button>
        )}
      </div>
      {liftError.message && (
        <div className="mt-3">
          <FormAlert message={liftError.message} requestId={liftError.requestId} />
        </div>
      )}
    </section>
  );
}

function EngageKillSwitch({
  workspaceId,
  onEngaged,
  onClose,
}: {
  workspaceId: string;
  onEngaged: (answer: KillSwitch) => void;
  onClose: () => void;
}) {
  const engage = useEngageKillSwitch(workspaceId);
  const errors = formErrors(engage.error, ["reason"]);
  return (
    <ConfirmDialog
      title="Engage the kill switch?"
      description="Every run and chain run of this workspace stops now, and new ones are refused until someone lifts it."
      confirmLabel="Engage kill switch"
      busy={engage.isPending}
      error={errors}
      onClose={onClose}
      onConfirm={(form) => {
        engage.mutate(textField(form, "reason").trim(), {
          onSuccess: (answer) => {
            onEngaged(answer);
            onClose();
          },
        });
      }}
    >
      <TextField
        label="Reason"
        name="reason"
        maxLength={500}
        description="Optional: shown here while it is engaged."
        error={errors.fields.reason}
      />
    </ConfirmDialog>
  );
}

/** The bar's colour: violet, amber from 80 %, rose at the limit. */
function meterClasses(percent: number): string {
  const fill =
    percent >= 100
      ? "[&::-moz-progress-bar]:bg-rose-400 [&::-webkit-progress-value]:bg-rose-400"
      : percent >= 80
        ? "[&::-moz-progress-bar]:bg-amber-300 [&::-webkit-progress-value]:bg-amber-300"
        : "[&::-moz-progress-bar]:bg-luna-400 [&::-webkit-progress-value]:bg-luna-400";
  return classNames(
    "block h-2 w-full appearance-none overflow-hidden rounded-full bg-white/8",
    "[&::-webkit-progress-bar]:bg-white/8 [&::-webkit-progress-value]:rounded-full",
    "[&::-moz-progress-bar]:rounded-full",
    fill,
  );
}

function BudgetCard({
  budget,
  subject,
  canManage,
  onEdit,
  onDelete,
}: {
  budget: Budget;
  subject: string | null;
  canManage: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <li className="glass rounded-2xl p-5" data-testid="budget">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <p className="flex flex-wrap items-baseline gap-x-1.5 font-semibold text-white">
            {scopeLabel(budget.scope)}
            {subject !== null && (
              <span className="truncate font-normal text-slate-300">· {subject}</span>
            )}
          </p>
          <p className="text-sm text-slate-300">Limit: {limitsText(budget)}</p>
        </div>
        {canManage && (
          <div className="flex flex-wrap gap-2">
            <Button size="sm" variant="secondary" onClick={onEdit}>
              Edit
            </Button>
            <Button size="sm" variant="ghost" onClick={onDelete}>
              Delete
            </Button>
          </div>
        )}
      </div>
      {budget.scope === "run" ? (
        <p className="mt-3 text-sm text-slate-400">Checked on every run.</p>
      ) : (
        <SpendMeter budget={budget} />
      )}
    </li>
  );
}

function SpendMeter({ budget }: { budget: Budget }) {
  const id = useId();
  const percent = budget.used_percent;
  const period = budget.scope === "workspace_month" ? "this month" : "today";
  const byTop =
    budget.subject === "" && budget.scope !== "workspace_month"
      ? budget.scope === "api_key_day"
        ? ", by the key that spent most"
        : ", by the agent that spent most"
      : "";
  return (
    <div className="mt-4 space-y-1.5">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 text-sm">
        <label
          htmlFor={id}
          className={classNames(
            "font-medium",
            percent >= 100 ? "text-rose-300" : percent >= 80 ? "text-amber-200" : "text-slate-200",
          )}
        >
          {percent}% used
        </label>
        <span
          id={`${id}-figures`}
          className="text-slate-400"
          title={budget.period_start ? `Since ${formatDateTime(budget.period_start)}` : undefined}
        >
          Spent {formatTokens(budget.spent_tokens)} · {formatUsd(budget.spent_cost_usd)} {period}
          {byTop}
        </span>
      </div>
      <progress
        id={id}
        value={Math.min(Math.max(percent, 0), 100)}
        max={100}
        aria-describedby={`${id}-figures`}
        className={meterClasses(percent)}
      />
    </div>
  );
}

const SUBJECT_HINTS: Record<BudgetScope, string> = {
  run: "Every agent: each run of any agent is held to it.",
  agent_day: "Every agent: each agent gets this budget for itself.",
  api_key_day:
    "Every API key: each key gets this budget for itself. Only runs started with a key count.",
  workspace_month: "",
};

const FIELDS = ["scope", "subject", "max_tokens", "max_cost_usd"] as const;

function NewBudgetDialog({
  workspaceId,
  choices,
  onClose,
}: {
  workspaceId: string;
  choices: SubjectChoices;
  onClose: () => void;
}) {
  const create = useCreateBudget(workspaceId);
  const [scope, setScope] = useState<BudgetScope>("run");
  const [subject, setSubject] = useState("");
  const [noLimit, setNoLimit] = useState(false);
  const errors = formErrors(create.error, FIELDS);
  const kind = subjectKind(scope);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const tokens = textField(form, "max_tokens").trim();
    const cost = textField(form, "max_cost_usd").trim();
    setNoLimit(!tokens && !cost);
    if (!tokens && !cost) return;
    create.mutate(
      {
        scope,
        subject: kind ? subject : "",
        ...(tokens ? { max_tokens: Number(tokens) } : {}),
        ...(cost ? { max_cost_usd: cost } : {}),
      },
      { onSuccess: onClose },
    );
  }

  return (
    <Dialog open title="Add a budget" onClose={onClose} dismissible={!create.isPending}>
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <SelectField
          label="Scope"
          name="scope"
          value={scope}
          error={errors.fields.scope}
          onChange={(event) => {
            const chosen = SCOPES.find((entry) => entry.scope === event.target.value);
            if (chosen) setScope(chosen.scope);
            setSubject("");
          }}
        >
          {SCOPES.map((entry) => (
            <option key={entry.scope} value={entry.scope}>
              {entry.label}
            </option>
          ))}
        </SelectField>
        {kind && (
          <SelectField
            label={kind === "agent" ? "Agent" : "API key"}
            name="subject"
            value={subject}
            description={SUBJECT_HINTS[scope]}
            error={errors.fields.subject}
            onChange={(event) => {
              setSubject(event.target.value);
            }}
          >
            <option value="">{kind === "agent" ? "Every agent" : "Every API key"}</option>
            {(kind === "agent" ? choices.agents : choices.apiKeys).map((choice) => (
              <option key={choice.id} value={choice.id}>
                {choice.name}
              </option>
            ))}
          </SelectField>
        )}
        <LimitFields errors={errors.fields} />
        {noLimit && (
          <p className="text-sm text-rose-300" role="alert">
            Set a token limit, a cost limit or both.
          </p>
        )}
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Add budget
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** The two limits of a budget; an empty one is no limit. */
function LimitFields({
  errors,
  budget,
}: {
  errors: Partial<Record<string, string>>;
  budget?: Budget;
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <TextField
        label="Max tokens"
        name="max_tokens"
        type="number"
        inputMode="numeric"
        min={1}
        max={10_000_000_000}
        step={1}
        placeholder="200000"
        defaultValue={budget?.max_tokens ?? ""}
        description="Tokens in and out. Empty: no token limit."
        error={errors.max_tokens}
      />
      <TextField
        label="Max cost (USD)"
        name="max_cost_usd"
        inputMode="decimal"
        pattern="[0-9]+(\.[0-9]{1,8})?"
        placeholder="5.00"
        defaultValue={editableAmount(budget?.max_cost_usd ?? null)}
        description="Dollars, such as 5.00. Empty: no cost limit."
        error={errors.max_cost_usd}
      />
    </div>
  );
}

const LIMIT_FIELDS = ["max_tokens", "max_cost_usd"] as const;

function EditBudgetDialog({
  workspaceId,
  budget,
  title,
  onClose,
}: {
  workspaceId: string;
  budget: Budget;
  title: string;
  onClose: () => void;
}) {
  const update = useUpdateBudget(workspaceId);
  const errors = formErrors(update.error, LIMIT_FIELDS);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const tokens = textField(form, "max_tokens").trim();
    const cost = textField(form, "max_cost_usd").trim();
    update.mutate(
      {
        id: budget.id,
        changes: { max_tokens: tokens ? Number(tokens) : null, max_cost_usd: cost || null },
      },
      { onSuccess: onClose },
    );
  }

  return (
    <Dialog
      open
      title="Edit budget"
      description={title}
      onClose={onClose}
      dismissible={!update.isPending}
    >
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <LimitFields errors={errors.fields} budget={budget} />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={update.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteBudget({
  workspaceId,
  budget,
  title,
  onClose,
}: {
  workspaceId: string;
  budget: Budget;
  title: string;
  onClose: () => void;
}) {
  const remove = useDeleteBudget(workspaceId);
  return (
    <ConfirmDialog
      title="Delete this budget?"
      description={`${title}: runs are no longer held to it.`}
      confirmLabel="Delete budget"
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(budget.id, { onSuccess: onClose });
      }}
    />
  );
}
