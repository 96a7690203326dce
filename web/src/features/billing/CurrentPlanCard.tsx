import { Badge } from "../../components/ui/Badge";
import { Card } from "../../components/ui/Card";
import { formatDate } from "../../lib/dates";
import type { BillingOverview, Subscription } from "./hooks";
import { formatPlanPrice } from "./money";
import { planFeatures, subscriptionStatusLook } from "./plan-details";
import { UsageMeters } from "./UsageMeters";

function DateText({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDate(iso)}</time>;
}

/** When the subscription renews, or that it ends. */
function RenewalText({ subscription }: { subscription: Subscription }) {
  const end = subscription.current_period_end;
  if (subscription.status === "canceled") {
    return <>The subscription has ended.</>;
  }
  if (!end) {
    return null;
  }
  if (subscription.cancel_at_period_end) {
    return (
      <>
        Cancelled: the plan stays until <DateText iso={end} />, then the team moves to the free
        plan.
      </>
    );
  }
  if (subscription.status === "trialing") {
    return (
      <>
        The trial ends on <DateText iso={end} />.
      </>
    );
  }
  return (
    <>
      Renews on <DateText iso={end} />.
    </>
  );
}

function SubscriptionSummary({ subscription }: { subscription: Subscription | null }) {
  if (!subscription) {
    return <p className="text-sm text-slate-400">No paid subscription.</p>;
  }
  const look = subscriptionStatusLook(subscription.status);
  return (
    <p className="flex flex-wrap items-center gap-2 text-sm text-slate-300">
      <span className="sr-only">Subscription status:</span>
      <Badge tone={look.tone}>{look.label}</Badge>
      <span>
        <RenewalText subscription={subscription} />
      </span>
    </p>
  );
}

/** The team's plan and what it includes, its subscription, and today's use of its limits. */
export function CurrentPlanCard({ overview }: { overview: BillingOverview }) {
  const { plan, subscription, usage } = overview;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card className="space-y-4 p-6">
        <section aria-labelledby="current-plan-heading" className="space-y-4">
          <div>
            <h2 id="current-plan-heading" className="text-sm font-medium text-slate-400">
              Current plan
            </h2>
            <p className="mt-1 flex flex-wrap items-baseline gap-x-3 gap-y-1">
              <span className="text-2xl font-semibold tracking-tight text-white">{plan.name}</span>
              <span className="text-slate-300">
                {formatPlanPrice(plan.price_cents, plan.currency)}
                {plan.price_cents ? <span className="text-sm text-slate-400"> a month</span> : null}
              </span>
            </p>
            <p className="mt-1 text-sm text-slate-400">{plan.description}</p>
          </div>
          <SubscriptionSummary subscription={subscription} />
          <ul className="grid gap-1.5 text-sm text-slate-300 sm:grid-cols-2" aria-label="Included">
            {planFeatures(plan).map((feature) => (
              <li key={feature} className="flex gap-2">
                <span aria-hidden="true" className="text-luna-300">
                  ✓
                </span>
                {feature}
              </li>
            ))}
          </ul>
        </section>
      </Card>
      <Card className="p-6">
        <section aria-labelledby="usage-heading" className="space-y-4">
          <div>
            <h2 id="usage-heading" className="text-sm font-medium text-slate-400">
              Today&apos;s use
            </h2>
            <p className="mt-1 text-sm text-slate-400">
              Across all of the team&apos;s workspaces; runs count from midnight UTC.
            </p>
          </div>
          <UsageMeters usage={usage} />
        </section>
      </Card>
    </div>
  );
}
