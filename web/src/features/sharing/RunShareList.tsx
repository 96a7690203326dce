import { useId } from "react";

import { Badge, type BadgeTone } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { Skeleton } from "../../components/ui/Skeleton";
import { formatDateTime } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import {
  runShareStatus,
  useRevokeRunShare,
  useRunShares,
  type RunShare,
  type RunShareStatus,
} from "./hooks";

const STATUS_LABELS: Record<RunShareStatus, string> = {
  active: "Active",
  expired: "Expired",
  revoked: "Revoked",
};

const STATUS_TONES: Record<RunShareStatus, BadgeTone> = {
  active: "success",
  expired: "neutral",
  revoked: "danger",
};

interface RunShareListProps {
  workspaceId: string;
  runId: string;
  canRevoke: boolean;
}

/** The run's public links, newest first, each with its state and views. */
export function RunShareList({ workspaceId, runId, canRevoke }: RunShareListProps) {
  const shares = useRunShares(workspaceId, runId);
  const revoke = useRevokeRunShare(workspaceId, runId);
  const errors = formErrors(revoke.error ?? shares.error, []);
  const titleId = useId();

  return (
    <section aria-labelledby={titleId} className="space-y-2">
      <h3 id={titleId} className="text-sm font-semibold text-white">
        Public links
      </h3>
      <FormAlert message={errors.message} requestId={errors.requestId} />
      {shares.isPending ? (
        <Skeleton className="h-12" />
      ) : shares.data && shares.data.length > 0 ? (
        <ul
          className="divide-y divide-white/8 rounded-xl border border-white/10"
          data-testid="run-shares"
        >
          {shares.data.map((share) => (
            <RunShareItem
              key={share.id}
              share={share}
              canRevoke={canRevoke}
              revoking={revoke.isPending && revoke.variables === share.id}
              onRevoke={() => {
                revoke.mutate(share.id);
              }}
            />
          ))}
        </ul>
      ) : (
        shares.data && <p className="text-sm text-slate-400">This run has no public links.</p>
      )}
    </section>
  );
}

interface RunShareItemProps {
  share: RunShare;
  canRevoke: boolean;
  revoking: boolean;
  onRevoke: () => void;
}

function RunShareItem({ share, canRevoke, revoking, onRevoke }: RunShareItemProps) {
  const status = runShareStatus(share);
  const created = formatDateTime(share.created_at);
  return (
    <li
      className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm"
      data-share-id={share.id}
      data-status={status}
    >
      <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>
      <span className="text-slate-300">
        Created <time dateTime={share.created_at}>{created}</time>
      </span>
      <span className="text-slate-400">
        {share.revoked_at
          ? `Revoked ${formatDateTime(share.revoked_at)}`
          : share.expires_at
            ? `${status === "expired" ? "Expired" : "Expires"} ${formatDateTime(share.expires_at)}`
            : "No expiry"}
      </span>
      <span className="text-slate-400">
        {share.view_count === 1 ? "1 view" : `${share.view_count} views`}
      </span>
      {canRevoke && status === "active" && (
        <Button
          variant="ghost"
          size="sm"
          className="ml-auto"
          loading={revoking}
          aria-label={`Revoke the link created ${created}`}
          onClick={onRevoke}
        >
          Revoke
        </Button>
      )}
    </li>
  );
}
