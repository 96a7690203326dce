import { Plus, Webhook } from "lucide-react";
import { useState, type SubmitEvent } from "react";

import { Alert } from "../../components/ui/Alert";
import { Badge, type BadgeTone } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { CheckboxField } from "../../components/ui/CheckboxField";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { CopyField } from "../../components/ui/CopyField";
import { CursorPager } from "../../components/ui/CursorPager";
import { Dialog } from "../../components/ui/Dialog";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { TextField } from "../../components/ui/TextField";
import { formatDateTime, formatRelative } from "../../lib/dates";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useCursorParam } from "../../lib/use-cursor-param";
import { mayManageProviders } from "../providers/permissions";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { DEFAULT_EVENTS, EVENT_GROUPS } from "./events";
import {
  useCreateEndpoint,
  useDeleteEndpoint,
  useDeliveries,
  useEndpoints,
  useRedeliver,
  useRotateSecret,
  useSendTest,
  useSetEnabled,
  type Delivery,
  type Endpoint,
  type EventType,
} from "./hooks";

/**
 * `/w/:workspaceId/webhooks`: the URLs told of the workspace's runs, chain runs and
 * schedules: each with its events, its state, its latest deliveries (each with its
 * attempts, and redelivery), a test event, secret rotation, turning off and deletion.
 */
export function WebhooksPage() {
  const { workspace, team } = useCurrentWorkspace();
  const canManage = mayManageProviders(team.role);
  const { cursors, cursor, moveCursors } = useCursorParam();
  const endpoints = useEndpoints(workspace.id, cursor);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Endpoint | null>(null);
  const [rotating, setRotating] = useState<Endpoint | null>(null);

  const open = () => {
    setCreating(true);
  };
  return (
    <>
      <title>{`Webhooks · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="Webhooks"
        description="Tell your other systems when runs finish or wait for a person. Every message is signed."
        actions={
          canManage && (
            <Button onClick={open}>
              <Plus aria-hidden="true" className="size-4" />
              Add endpoint
            </Button>
          )
        }
      />
      {!canManage && (
        <p className="mb-6 text-sm text-slate-400">
          Only the owners and admins of {team.name} can add or change endpoints; your role is{" "}
          {team.role}.
        </p>
      )}
      {endpoints.isPending ? (
        <TableSkeleton label="Loading webhook endpoints" />
      ) : endpoints.isError ? (
        <ErrorState
          title="The webhook endpoints could not be loaded"
          message={endpoints.error.message}
          onRetry={() => void endpoints.refetch()}
          retrying={endpoints.isFetching}
        />
      ) : endpoints.data.items.length === 0 ? (
        <EmptyState
          title="No endpoints yet"
          action={
            canManage && (
              <Button variant="secondary" onClick={open}>
                Add an endpoint
              </Button>
            )
          }
        >
          Luna posts a signed JSON message to your URL when a run completes, fails or waits for
          approval, and retries for a day if your server is down.
        </EmptyState>
      ) : (
        <ul className="space-y-4" aria-label="Webhook endpoints">
          {endpoints.data.items.map((endpoint) => (
            <EndpointCard
              key={endpoint.id}
              endpoint={endpoint}
              workspaceId={workspace.id}
              canManage={canManage}
              onRotate={() => {
                setRotating(endpoint);
              }}
              onDelete={() => {
                setDeleting(endpoint);
              }}
            />
          ))}
        </ul>
      )}
      {endpoints.data && (
        <CursorPager
          of="endpoints"
          cursors={cursors}
          nextCursor={endpoints.data.next_cursor}
          loading={endpoints.isPlaceholderData}
          onCursorsChange={moveCursors}
        />
      )}
      {creating && (
        <NewEndpointDialog
          workspaceId={workspace.id}
          onClose={() => {
            setCreating(false);
          }}
        />
      )}
      {rotating && (
        <RotateSecret
          workspaceId={workspace.id}
          endpoint={rotating}
          onClose={() => {
            setRotating(null);
          }}
        />
      )}
      {deleting && (
        <DeleteEndpoint
          workspaceId={workspace.id}
          endpoint={deleting}
          onClose={() => {
            setDeleting(null);
          }}
        />
      )}
    </>
  );
}

function endpointState(endpoint: Endpoint): { tone: BadgeTone; text: string } {
  if (!endpoint.enabled) return { tone: "danger", text: "Off" };
  if (endpoint.failing_since) return { tone: "warning", text: "Failing" };
  return { tone: "success", text: "Active" };
}

function EndpointCard({
  endpoint,
  workspaceId,
  canManage,
  onRotate,
  onDelete,
}: {
  endpoint: Endpoint;
  workspaceId: string;
  canManage: boolean;
  onRotate: () => void;
  onDelete: () => void;
}) {
  const setEnabled = useSetEnabled(workspaceId);
  const sendTest = useSendTest(workspaceId, endpoint.id);
  const [showDeliveries, setShowDeliveries] = useState(false);
  const state = endpointState(endpoint);
  const actionError = formErrors(sendTest.error ?? setEnabled.error, []);
  return (
    <li className="glass rounded-2xl p-5" data-testid="webhook-endpoint">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1.5">
          <p className="flex min-w-0 items-center gap-2 font-semibold text-white">
            <Webhook aria-hidden="true" className="size-4 shrink-0 text-luna-300" />
            <span className="truncate font-mono text-sm" title={endpoint.url}>
              {endpoint.url}
            </span>
            <Badge tone={state.tone}>{state.text}</Badge>
          </p>
          {endpoint.description && <p className="text-sm text-slate-300">{endpoint.description}</p>}
          <p className="flex flex-wrap gap-1" aria-label="Events">
            {endpoint.event_types.map((type) => (
              <Badge key={type} tone="brand">
                {type}
              </Badge>
            ))}
          </p>
          {!endpoint.enabled && endpoint.disabled_reason && (
            <p className="text-xs text-rose-300">{endpoint.disabled_reason}</p>
          )}
          {endpoint.enabled && endpoint.failing_since && (
            <p className="text-xs text-amber-200">
              Failing since {formatRelative(endpoint.failing_since)}; it is turned off after a day
              of failures.
            </p>
          )}
        </div>
        {canManage && (
          <div className="flex flex-wrap gap-2">
            <Button
              size="sm"
              variant="secondary"
              loading={sendTest.isPending}
              disabled={!endpoint.enabled}
              onClick={() => {
                sendTest.mutate(undefined, {
                  onSuccess: () => {
                    setShowDeliveries(true);
                  },
                });
              }}
            >
              Send test event
            </Button>
            <Button
              size="sm"
              variant="secondary"
              loading={setEnabled.isPending}
              onClick={() => {
                setEnabled.mutate({ id: endpoint.id, enabled: !endpoint.enabled });
              }}
            >
              {endpoint.enabled ? "Turn off" : "Turn on"}
            </Button>
            <Button size="sm" variant="ghost" onClick={onRotate}>
              Rotate secret
            </Button>
            <Button size="sm" variant="ghost" onClick={onDelete}>
              Delete
            </Button>
          </div>
        )}
      </div>
      {actionError.message && (
        <FormAlert message={actionError.message} requestId={actionError.requestId} />
      )}
      <details
        className="mt-3 text-sm"
        open={showDeliveries}
        onToggle={(event) => {
          setShowDeliveries(event.currentTarget.open);
        }}
      >
        <summary className="cursor-pointer text-slate-300 hover:text-white">
          Latest deliveries
        </summary>
        {showDeliveries && (
          <Deliveries workspaceId={workspaceId} endpoint={endpoint} canManage={canManage} />
        )}
      </details>
    </li>
  );
}

const DELIVERY_TONES: Record<string, BadgeTone> = {
  pending: "warning",
  succeeded: "success",
  failed: "danger",
};

function Deliveries({
  workspaceId,
  endpoint,
  canManage,
}: {
  workspaceId: string;
  endpoint: Endpoint;
  canManage: boolean;
}) {
  const deliveries = useDeliveries(workspaceId, endpoint.id);
  const redeliver = useRedeliver(workspaceId, endpoint.id);
  const redeliverError = formErrors(redeliver.error, []);
  if (deliveries.isPending) return <TableSkeleton label="Loading deliveries" />;
  if (deliveries.isError) {
    return (
      <ErrorState
        title="The deliveries could not be loaded"
        message={deliveries.error.message}
        onRetry={() => void deliveries.refetch()}
        retrying={deliveries.isFetching}
      />
    );
  }
  if (deliveries.data.items.length === 0) {
    return (
      <p className="mt-3 text-slate-400">
        Nothing sent yet. Send a test event to see how your server answers.
      </p>
    );
  }
  return (
    <div className="mt-3 space-y-2">
      {redeliverError.message && (
        <FormAlert message={redeliverError.message} requestId={redeliverError.requestId} />
      )}
      <ul
        className="divide-y divide-white/8 rounded-xl ring-1 ring-white/10"
        aria-label="Deliveries"
      >
        {deliveries.data.items.map((delivery) => (
          <DeliveryRow
            key={delivery.id}
            delivery={delivery}
            canRedeliver={canManage && endpoint.enabled && delivery.status !== "pending"}
            redelivering={redeliver.isPending && redeliver.variables === delivery.id}
            onRedeliver={() => {
              redeliver.mutate(delivery.id);
            }}
          />
        ))}
      </ul>
    </div>
  );
}

function DeliveryRow({
  delivery,
  canRedeliver,
  redelivering,
  onRedeliver,
}: {
  delivery: Delivery;
  canRedeliver: boolean;
  redelivering: boolean;
  onRedeliver: () => void;
}) {
  const last = delivery.attempts[0];
  return (
    <li className="px-3 py-2" data-testid="webhook-delivery">
      <details>
        <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1">
          <span className="font-mono text-xs text-slate-200">{delivery.event_type}</span>
          <Badge tone={DELIVERY_TONES[delivery.status] ?? "neutral"}>{delivery.status}</Badge>
          <span className="text-xs text-slate-400">
            {delivery.attempt_count === 1
              ? "1 attempt"
              : `${String(delivery.attempt_count)} attempts`}
            {last?.status_code != null && ` · last answer ${String(last.status_code)}`}
            {" · "}
            {formatRelative(delivery.created_at)}
          </span>
          {delivery.status === "pending" && delivery.next_attempt_at && (
            <span className="text-xs text-amber-200">
              next try {formatRelative(delivery.next_attempt_at)}
            </span>
          )}
        </summary>
        <div className="mt-2 space-y-2 pl-1">
          <p className="text-xs text-slate-400">
            Message <code className="font-mono text-slate-300">{delivery.id}</code> (its webhook-id)
          </p>
          <ol className="space-y-1" aria-label="Attempts">
            {delivery.attempts.map((attempt) => (
              <li key={attempt.id} className="text-xs text-slate-300">
                {formatDateTime(attempt.attempted_at)} ·{" "}
                {attempt.status_code != null ? `HTTP ${String(attempt.status_code)}` : "no answer"}
                {attempt.latency_ms != null && ` · ${String(Math.round(attempt.latency_ms))} ms`}
                {(attempt.error ?? attempt.response_excerpt) && (
                  <span className="block truncate font-mono text-slate-400">
                    {attempt.error ?? attempt.response_excerpt}
                  </span>
                )}
              </li>
            ))}
          </ol>
          {canRedeliver && (
            <Button size="sm" variant="secondary" loading={redelivering} onClick={onRedeliver}>
              Redeliver
            </Button>
          )}
        </div>
      </details>
    </li>
  );
}

const FIELDS = ["url", "description", "event_types"] as const;

function NewEndpointDialog({ workspaceId, onClose }: { workspaceId: string; onClose: () => void }) {
  const create = useCreateEndpoint(workspaceId);
  const [missingEvents, setMissingEvents] = useState(false);
  const errors = formErrors(create.error, FIELDS);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const eventTypes = form.getAll("event_types").map(String) as EventType[];
    setMissingEvents(eventTypes.length === 0);
    if (eventTypes.length === 0) return;
    create.mutate({
      url: textField(form, "url").trim(),
      description: textField(form, "description").trim(),
      event_types: eventTypes,
    });
  }

  return (
    <Dialog
      open
      size="lg"
      title={create.data ? "Endpoint added" : "Add a webhook endpoint"}
      onClose={onClose}
      dismissible={!create.isPending}
    >
      {create.data ? (
        <ShownSecret secret={create.data.secret} onDone={onClose} />
      ) : (
        <form onSubmit={submit} className="space-y-5">
          <FormAlert message={errors.message} requestId={errors.requestId} />
          <TextField
            label="URL"
            name="url"
            type="url"
            required
            maxLength={2000}
            placeholder="https://example.com/hooks/luna"
            spellCheck={false}
            error={errors.fields.url}
          />
          <TextField
            label="Description"
            name="description"
            maxLength={500}
            description="Optional: what listens there."
            error={errors.fields.description}
          />
          <fieldset className="space-y-3">
            <legend className="mb-1.5 text-sm font-medium text-slate-200">Events</legend>
            <div className="grid gap-3 sm:grid-cols-3">
              {EVENT_GROUPS.map((group) => (
                <fieldset key={group.title}>
                  <legend className="mb-1 px-2 text-xs font-medium text-slate-400">
                    {group.title}
                  </legend>
                  {group.events.map(({ type, label }) => (
                    <CheckboxField
                      key={type}
                      name="event_types"
                      value={type}
                      label={label}
                      defaultChecked={DEFAULT_EVENTS.has(type)}
                    />
                  ))}
                </fieldset>
              ))}
            </div>
            {(missingEvents || errors.fields.event_types) && (
              <p className="text-sm text-rose-300" role="alert">
                {missingEvents ? "Choose at least one event." : errors.fields.event_types}
              </p>
            )}
          </fieldset>
          <div className="flex justify-end gap-3">
            <Button variant="ghost" onClick={onClose} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Add endpoint
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** The one and only sight of a signing secret. */
function ShownSecret({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <div className="space-y-5">
      <Alert tone="warning" title="Copy the signing secret now: you will not see it again">
        Your server checks each message's <code className="font-mono">webhook-signature</code> with
        it (Standard Webhooks: HMAC-SHA256 of the id, timestamp and body).
      </Alert>
      <CopyField label="Signing secret" value={secret} autoFocus />
      <div className="flex justify-end">
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}

function RotateSecret({
  workspaceId,
  endpoint,
  onClose,
}: {
  workspaceId: string;
  endpoint: Endpoint;
  onClose: () => void;
}) {
  const rotate = useRotateSecret(workspaceId);
  if (rotate.data) {
    return (
      <Dialog open size="lg" title="New signing secret" onClose={onClose}>
        <div className="space-y-4">
          <p className="text-sm text-slate-300">
            Messages are signed with both secrets until{" "}
            {formatDateTime(rotate.data.previous_secret_expires_at)}, so you can switch your server
            without missing one.
          </p>
          <ShownSecret secret={rotate.data.secret} onDone={onClose} />
        </div>
      </Dialog>
    );
  }
  return (
    <ConfirmDialog
      title="Rotate the signing secret?"
      description={`A new secret for ${endpoint.url}. The current one keeps signing for 24 hours.`}
      confirmLabel="Rotate secret"
      confirmVariant="primary"
      busy={rotate.isPending}
      error={formErrors(rotate.error, [])}
      onClose={onClose}
      onConfirm={() => {
        rotate.mutate(endpoint.id);
      }}
    />
  );
}

function DeleteEndpoint({
  workspaceId,
  endpoint,
  onClose,
}: {
  workspaceId: string;
  endpoint: Endpoint;
  onClose: () => void;
}) {
  const remove = useDeleteEndpoint(workspaceId);
  return (
    <ConfirmDialog
      title="Delete this endpoint?"
      description={`Nothing more is sent to ${endpoint.url}, and its delivery history goes with it.`}
      confirmLabel="Delete endpoint"
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(endpoint.id, { onSuccess: onClose });
      }}
    />
  );
}
