import type { BadgeTone } from "../../components/ui/Badge";
import type { Plan } from "./hooks";

const ENTITLEMENT_LABELS: Partial<Record<string, string>> = {
  "runs-per-day": "Runs today",
  "active-agents": "Active agents",
  workspaces: "Workspaces",
  seats: "Seats",
};

/** "runs-per-day" as "Runs today"; a name the app does not know, spelled out. */
export function entitlementLabel(entitlement: string): string {
  const known = ENTITLEMENT_LABELS[entitlement];
  if (known) {
    return known;
  }
  const words = entitlement.replaceAll("-", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function limit(value: number | null, one: string, many: string): string {
  if (value === null) {
    return `Unlimited ${many}`;
  }
  return `${value.toLocaleString()} ${value === 1 ? one : many}`;
}

/** What a plan includes, one line each, as the public pricing page lists it. */
export function planFeatures(plan: Plan): string[] {
  const retention = plan.data_retention_days;
  return [
    limit(plan.runs_per_day, "run a day", "runs a day"),
    limit(plan.active_agents, "active agent", "active agents"),
    limit(plan.workspaces, "workspace", "workspaces"),
    limit(plan.seats, "seat", "seats"),
    limit(plan.concurrent_runs, "concurrent run", "concurrent runs"),
    `${plan.api_requests_per_minute.toLocaleString()} API requests a minute`,
    plan.all_catalog_agents ? "All catalog agents" : "The six core catalog agents",
    ...(plan.sso ? ["Single sign-on (SSO)"] : []),
    retention === null ? "Run history kept as long as you need" : `${retention}-day run history`,
    `${plan.support_level.charAt(0).toUpperCase()}${plan.support_level.slice(1)} support`,
  ];
}

interface StatusLook {
  label: string;
  tone: BadgeTone;
}

const SUBSCRIPTION_STATUSES: Partial<Record<string, StatusLook>> = {
  active: { label: "Active", tone: "success" },
  trialing: { label: "Trial", tone: "brand" },
  past_due: { label: "Payment overdue", tone: "danger" },
  unpaid: { label: "Unpaid", tone: "danger" },
  canceled: { label: "Cancelled", tone: "neutral" },
  incomplete: { label: "Awaiting payment", tone: "warning" },
  incomplete_expired: { label: "Expired", tone: "neutral" },
  paused: { label: "Paused", tone: "warning" },
};

const INVOICE_STATUSES: Partial<Record<string, StatusLook>> = {
  paid: { label: "Paid", tone: "success" },
  open: { label: "Open", tone: "warning" },
  draft: { label: "Draft", tone: "neutral" },
  void: { label: "Void", tone: "neutral" },
  uncollectible: { label: "Uncollectible", tone: "danger" },
  failed: { label: "Failed", tone: "danger" },
  refunded: { label: "Refunded", tone: "neutral" },
};

function lookOf(table: Partial<Record<string, StatusLook>>, status: string): StatusLook {
  const words = status.replaceAll("_", " ");
  return (
    table[status] ?? { label: words.charAt(0).toUpperCase() + words.slice(1), tone: "neutral" }
  );
}

export function subscriptionStatusLook(status: string): StatusLook {
  return lookOf(SUBSCRIPTION_STATUSES, status);
}

export function invoiceStatusLook(status: string): StatusLook {
  return lookOf(INVOICE_STATUSES, status);
}
