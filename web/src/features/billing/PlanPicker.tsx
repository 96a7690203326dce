import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button, buttonClasses } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { classNames } from "../../lib/class-names";
import { formErrors } from "../../lib/form-errors";
import { useCheckout, usePortal, type Plan } from "./hooks";
import { contactSalesHref } from "./links";
import { formatPlanPrice } from "./money";
import { planFeatures } from "./plan-details";

interface PlanPickerProps {
  teamId: string;
  /** The price list. */
  plans: UseQueryResult<Plan[]>;
  currentPlan: Plan;
  /** The plan picked on the pricing page before signing up, if any: shown first. */
  chosenPlanId?: string | null;
  /** Whether the user may change the team's billing (owners and admins). */
  canManage: boolean;
  /** The id of the text saying why others may not. */
  reasonId: string;
}

type PlanAction = "current" | "contact-sales" | "downgrade" | "upgrade" | "switch";

function actionFor(plan: Plan, current: Plan): PlanAction {
  if (plan.id === current.id) {
    return "current";
  }
  if (plan.price_cents === null) {
    return "contact-sales";
  }
  if (plan.price_cents === 0) {
    return "downgrade";
  }
  const currentPrice = current.price_cents;
  return currentPrice !== null && plan.price_cents > currentPrice ? "upgrade" : "switch";
}

/** The public plans, each with the way to move to it. */
export function PlanPicker({
  teamId,
  plans,
  currentPlan,
  canManage,
  reasonId,
  chosenPlanId = null,
}: PlanPickerProps) {
  const checkout = useCheckout(teamId);
  // Moving to the free plan means cancelling the subscription, which the portal does.
  const portal = usePortal(teamId);
  const leaving = checkout.isPending || checkout.isSuccess || portal.isPending || portal.isSuccess;
  const errors = formErrors(checkout.error ?? portal.error, []);
  const chosen = plans.data?.find((plan) => plan.id === chosenPlanId) ?? null;

  function planAction(plan: Plan) {
    const action = actionFor(plan, currentPlan);
    if (action === "current") {
      return (
        <Button variant="secondary" disabled className="w-full">
          Current plan
        </Button>
      );
    }
    if (action === "contact-sales") {
      return (
        <a
          href={contactSalesHref(plan.name)}
          aria-label={`Contact sales about the ${plan.name} plan`}
          className={classNames(buttonClasses("secondary"), "w-full")}
        >
          Contact sales
        </a>
      );
    }
    const label = { downgrade: "Downgrade", upgrade: "Upgrade", switch: "Switch" }[action];
    const busy =
      action === "downgrade"
        ? portal.isPending || portal.isSuccess
        : (checkout.isPending || checkout.isSuccess) && checkout.variables === plan.id;
    return (
      <Button
        variant={action === "upgrade" ? "primary" : "secondary"}
        className="w-full"
        disabled={!canManage || (leaving && !busy)}
        loading={busy}
        aria-describedby={canManage ? undefined : reasonId}
        aria-label={`${label} to ${plan.name}`}
        onClick={() => {
          if (action === "downgrade") {
            checkout.reset();
            portal.mutate();
          } else {
            portal.reset();
            checkout.mutate(plan.id);
          }
        }}
      >
        {label}
      </Button>
    );
  }

  let content: ReactNode;
  if (plans.isPending) {
    content = (
      <LoadingRegion label="Loading the plans">
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
          {Array.from({ length: 4 }, (_, index) => (
            <Skeleton key={index} className="h-80" />
          ))}
        </div>
      </LoadingRegion>
    );
  } else if (plans.isError) {
    content = (
      <ErrorState
        title="The plans could not be loaded"
        message={plans.error.message}
        requestId={plans.error instanceof ApiProblem ? plans.error.requestId : null}
        onRetry={() => void plans.refetch()}
        retrying={plans.isFetching}
      />
    );
  } else if (plans.data.length === 0) {
    content = (
      <EmptyState title="No plans on the price list">
        Contact sales to change the team&apos;s plan.
      </EmptyState>
    );
  } else {
    content = (
      <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4" aria-label="Plans">
        {plans.data.map((plan) => (
          <li key={plan.id}>
            <Card
              className={classNames(
                "flex h-full flex-col gap-4 p-5",
                plan.id === currentPlan.id && "ring-1 ring-luna-400/60",
                plan.id === chosenPlanId && "ring-2 ring-luna-300",
              )}
              aria-current={plan.id === chosenPlanId ? "true" : undefined}
            >
              <div>
                <h3 className="flex items-center justify-between gap-2 font-semibold text-white">
                  {plan.name}
                  {plan.id === currentPlan.id && <Badge tone="brand">Your plan</Badge>}
                  {plan.id === chosenPlanId && <Badge tone="brand">Your choice</Badge>}
                </h3>
                <p className="mt-1 text-xl font-semibold text-white">
                  {formatPlanPrice(plan.price_cents, plan.currency)}
                  {plan.price_cents ? (
                    <span className="text-sm font-normal text-slate-400"> a month</span>
                  ) : null}
                </p>
                <p className="mt-1 text-sm text-slate-400">{plan.description}</p>
              </div>
              <ul className="flex-1 space-y-1 text-sm text-slate-300">
                {planFeatures(plan).map((feature) => (
                  <li key={feature}>{feature}</li>
                ))}
              </ul>
              {actionFor(plan, currentPlan) === "downgrade" && (
                <p className="text-xs text-slate-400">
                  Cancel the subscription in the payment portal: the team moves to {plan.name} at
                  the end of the period it paid for.
                </p>
              )}
              {planAction(plan)}
            </Card>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <section aria-labelledby="plans-heading" className="mt-12 space-y-4">
      <div>
        <h2 id="plans-heading" className="text-lg font-semibold text-white">
          Change plan
        </h2>
        <p className="text-sm text-slate-400">
          The payment provider&apos;s page takes the payment; the plan changes as soon as it
          confirms.
        </p>
      </div>
      {chosen && (
        <Alert tone="info">
          You chose {chosen.name} on the pricing page: press Upgrade on it to check out.
        </Alert>
      )}
      <FormAlert message={errors.message} requestId={errors.requestId} />
      {content}
    </section>
  );
}
