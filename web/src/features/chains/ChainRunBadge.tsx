import { Badge, type BadgeTone } from "../../components/ui/Badge";

/** A chain run's state, in words and a tone. */
export const CHAIN_RUN_STATUS: Record<string, { label: string; tone: BadgeTone }> = {
  queued: { label: "Queued", tone: "neutral" },
  running: { label: "Running", tone: "brand" },
  paused: { label: "Needs approval", tone: "warning" },
  succeeded: { label: "Succeeded", tone: "success" },
  partial: { label: "Partly done", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "neutral" },
};

export function ChainRunBadge({ status }: { status: string }) {
  const shown = CHAIN_RUN_STATUS[status] ?? { label: status, tone: "neutral" as const };
  return <Badge tone={shown.tone}>{shown.label}</Badge>;
}
