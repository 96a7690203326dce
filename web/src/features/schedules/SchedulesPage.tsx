import { CalendarClock, Plus } from "lucide-react";
import { useMemo, useState, type SubmitEvent } from "react";
import { Link } from "react-router";

import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { CursorPager } from "../../components/ui/CursorPager";
import { Dialog } from "../../components/ui/Dialog";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { SelectField } from "../../components/ui/SelectField";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { TextField } from "../../components/ui/TextField";
import { formatDateTime, formatRelative } from "../../lib/dates";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useCursorParam } from "../../lib/use-cursor-param";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { describeCron, timeZones } from "./cron-text";
import {
  useCreateSchedule,
  useDeleteSchedule,
  useSchedules,
  useSetPaused,
  useTargets,
  type NewSchedule,
  type Schedule,
} from "./hooks";

/**
 * `/w/:workspaceId/schedules`: agents and chains run unattended, on a cron expression or
 * once: each with its timing in words, its next runs, its latest fires (each opening its
 * run), pause and resume, and delete. The page is kept in the address (`?cursor=`).
 */
export function SchedulesPage() {
  const { workspace, team } = useCurrentWorkspace();
  const canWrite = team.role !== "viewer";
  const { cursors, cursor, moveCursors } = useCursorParam();
  const schedules = useSchedules(workspace.id, cursor);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Schedule | null>(null);

  const open = () => {
    setCreating(true);
  };
  return (
    <>
      <title>{`Schedules · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="Schedules"
        description="Agents and chains that run on their own."
        actions={
          canWrite && (
            <Button onClick={open}>
              <Plus aria-hidden="true" className="size-4" />
              New schedule
            </Button>
          )
        }
      />
      {schedules.isPending ? (
        <TableSkeleton label="Loading schedules" />
      ) : schedules.isError ? (
        <ErrorState
          title="The schedules could not be loaded"
          message={schedules.error.message}
          onRetry={() => void schedules.refetch()}
          retrying={schedules.isFetching}
        />
      ) : schedules.data.items.length === 0 ? (
        <EmptyState
          title="No schedules yet"
          action={
            canWrite && (
              <Button variant="secondary" onClick={open}>
                Schedule a run
              </Button>
            )
          }
        >
          Run an agent or a chain every morning, every hour, or once at a time you choose.
        </EmptyState>
      ) : (
        <ul className="space-y-4" aria-label="Schedules">
          {schedules.data.items.map((schedule) => (
            <ScheduleCard
              key={schedule.id}
              schedule={schedule}
              workspaceId={workspace.id}
              canWrite={canWrite}
              onDelete={() => {
                setDeleting(schedule);
              }}
            />
          ))}
        </ul>
      )}
      {schedules.data && (
        <CursorPager
          of="schedules"
          cursors={cursors}
          nextCursor={schedules.data.next_cursor}
          loading={schedules.isPlaceholderData}
          onCursorsChange={moveCursors}
        />
      )}
      {creating && (
        <NewScheduleDialog
          workspaceId={workspace.id}
          onClose={() => {
            setCreating(false);
          }}
        />
      )}
      {deleting && (
        <DeleteSchedule
          workspaceId={workspace.id}
          schedule={deleting}
          onClose={() => {
            setDeleting(null);
          }}
        />
      )}
    </>
  );
}

function timing(schedule: Schedule): string {
  if (schedule.cron === null) {
    return schedule.once_at ? `Once, ${formatDateTime(schedule.once_at)}` : "Once";
  }
  const described = describeCron(schedule.cron);
  const words = "text" in described ? described.text : schedule.cron;
  return `${words} (${schedule.timezone})`;
}

function ScheduleCard({
  schedule,
  workspaceId,
  canWrite,
  onDelete,
}: {
  schedule: Schedule;
  workspaceId: string;
  canWrite: boolean;
  onDelete: () => void;
}) {
  const setPaused = useSetPaused(workspaceId);
  const base = `/w/${workspaceId}`;
  return (
    <li className="glass rounded-2xl p-5" data-testid="schedule">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <p className="flex items-center gap-2 font-semibold text-white">
            <CalendarClock aria-hidden="true" className="size-4 text-luna-300" />
            {schedule.name}
            {schedule.paused && <Badge tone="warning">Paused</Badge>}
          </p>
          <p className="text-sm text-slate-300" data-field="timing">
            {timing(schedule)}
          </p>
          <p className="text-xs text-slate-400">
            {schedule.next_fire_at
              ? `Next ${formatRelative(schedule.next_fire_at)}`
              : "Nothing planned"}
            {schedule.last_fired_at && ` · last ${formatRelative(schedule.last_fired_at)}`}
          </p>
        </div>
        {canWrite && (
          <div className="flex gap-2">
            <Button
              size="sm"
              variant="secondary"
              loading={setPaused.isPending}
              onClick={() => {
                setPaused.mutate({ id: schedule.id, paused: !schedule.paused });
              }}
            >
              {schedule.paused ? "Resume" : "Pause"}
            </Button>
            <Button size="sm" variant="ghost" onClick={onDelete}>
              Delete
            </Button>
          </div>
        )}
      </div>
      {(schedule.next_fires.length > 0 || schedule.recent_fires.length > 0) && (
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer text-slate-300 hover:text-white">
            Upcoming and past runs
          </summary>
          <div className="mt-3 grid gap-4 sm:grid-cols-2">
            <div>
              <h3 className="mb-1 text-xs font-medium text-slate-400">Next</h3>
              <ul className="space-y-0.5 text-slate-200">
                {schedule.next_fires.map((time) => (
                  <li key={time}>{formatDateTime(time)}</li>
                ))}
              </ul>
            </div>
            <div>
              <h3 className="mb-1 text-xs font-medium text-slate-400">Latest</h3>
              <ul className="space-y-0.5 text-slate-200">
                {schedule.recent_fires.map((fire) => (
                  <li key={fire.due_at}>
                    {fire.run_id ? (
                      <Link className="text-luna-300 underline" to={`${base}/runs/${fire.run_id}`}>
                        {formatDateTime(fire.fired_at)}
                      </Link>
                    ) : fire.chain_run_id ? (
                      <Link
                        className="text-luna-300 underline"
                        to={`${base}/chain-runs/${fire.chain_run_id}`}
                      >
                        {formatDateTime(fire.fired_at)}
                      </Link>
                    ) : (
                      formatDateTime(fire.fired_at)
                    )}
                    {fire.covered > 1 && ` (for ${String(fire.covered)} missed times)`}
                    {fire.error && <span className="text-rose-300"> · {fire.error}</span>}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </details>
      )}
    </li>
  );
}

const FIELDS = ["name", "target_id", "input", "cron", "timezone", "once_at"] as const;

function NewScheduleDialog({ workspaceId, onClose }: { workspaceId: string; onClose: () => void }) {
  const targets = useTargets(workspaceId);
  const create = useCreateSchedule(workspaceId);
  const [mode, setMode] = useState<"cron" | "once">("cron");
  const [cron, setCron] = useState("0 9 * * 1-5");
  const zones = useMemo(() => timeZones(), []);
  const described = describeCron(cron);
  const errors = formErrors(create.error, FIELDS);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const [targetType, targetId] = textField(form, "target").split(":", 2);
    const body: NewSchedule = {
      name: textField(form, "name").trim(),
      target_type: targetType === "chain" ? "chain" : "agent",
      target_id: targetId ?? "",
      input: textField(form, "input"),
      timezone: textField(form, "timezone") || "UTC",
      ...(mode === "cron"
        ? { cron: cron.trim() }
        : { once_at: new Date(textField(form, "once_at")).toISOString() }),
    };
    create.mutate(body, { onSuccess: onClose });
  }

  return (
    <Dialog open size="lg" title="New schedule" onClose={onClose} dismissible={!create.isPending}>
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <TextField label="Name" name="name" required maxLength={100} error={errors.fields.name} />
        <SelectField label="Runs" name="target" required error={errors.fields.target_id}>
          {targets.data?.agents.map((agent) => (
            <option key={agent.id} value={`agent:${agent.id}`}>
              Agent · {agent.name}
            </option>
          ))}
          {targets.data?.chains.map((chain) => (
            <option key={chain.id} value={`chain:${chain.id}`}>
              Chain · {chain.name}
            </option>
          ))}
        </SelectField>
        <TextAreaField
          label="Input"
          name="input"
          rows={3}
          required
          maxLength={100_000}
          error={errors.fields.input}
        />
        <SelectField
          label="When"
          name="mode"
          value={mode}
          onChange={(event) => {
            setMode(event.target.value === "once" ? "once" : "cron");
          }}
        >
          <option value="cron">Repeatedly, on a cron expression</option>
          <option value="once">Once</option>
        </SelectField>
        {mode === "cron" ? (
          <div className="grid gap-5 sm:grid-cols-2">
            <TextField
              label="Cron expression"
              name="cron"
              value={cron}
              onChange={(event) => {
                setCron(event.target.value);
              }}
              spellCheck={false}
              description={"text" in described ? described.text : described.problem}
              error={errors.fields.cron}
            />
            <SelectField label="Time zone" name="timezone" error={errors.fields.timezone}>
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </SelectField>
          </div>
        ) : (
          <TextField
            label="At"
            name="once_at"
            type="datetime-local"
            required
            description="In this browser's time zone."
            error={errors.fields.once_at}
          />
        )}
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create schedule
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteSchedule({
  workspaceId,
  schedule,
  onClose,
}: {
  workspaceId: string;
  schedule: Schedule;
  onClose: () => void;
}) {
  const remove = useDeleteSchedule(workspaceId);
  return (
    <ConfirmDialog
      title={`Delete ${schedule.name}?`}
      description="It stops running. The runs it started stay."
      confirmLabel="Delete schedule"
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(schedule.id, { onSuccess: onClose });
      }}
    />
  );
}
