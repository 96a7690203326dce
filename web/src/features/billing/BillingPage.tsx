import { useId } from "react";
import { useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { formErrors } from "../../lib/form-errors";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { CurrentPlanCard } from "./CurrentPlanCard";
import { DunningBanner } from "./DunningBanner";
import {
  canManageBilling,
  checkoutOutcomeOf,
  useBillingOverview,
  usePlans,
  usePortal,
  type CheckoutOutcome,
} from "./hooks";
import { InvoicesSection } from "./InvoicesSection";
import { chosenPlan } from "../onboarding/paths";
import { PlanPicker } from "./PlanPicker";

const CHECKOUT_MESSAGES: Record<CheckoutOutcome, string> = {
  done: "Payment received: your plan changes as soon as the payment provider confirms it.",
  cancelled: "Checkout cancelled: nothing was charged.",
};

function BillingSkeleton() {
  return (
    <LoadingRegion label="Loading billing">
      <div className="grid gap-4 lg:grid-cols-2">
        <Skeleton className="h-72" />
        <Skeleton className="h-72" />
      </div>
      <div className="mt-12 grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        {Array.from({ length: 4 }, (_, index) => (
          <Skeleton key={index} className="h-80" />
        ))}
      </div>
    </LoadingRegion>
  );
}

/** Said once near the top; the buttons owners and admins alone may press point to it. */
function ManagersOnlyNote({ id, teamName, role }: { id: string; teamName: string; role: string }) {
  return (
    <p id={id} className="mb-6 text-sm text-slate-400">
      Only the owners and admins of {teamName} can change its plan or payment method; your role is{" "}
      {role}.
    </p>
  );
}

export function BillingPage() {
  const { team } = useCurrentWorkspace();
  const [searchParams, setSearchParams] = useSearchParams();
  const checkout = checkoutOutcomeOf(searchParams.get("checkout"));
  const chosen = chosenPlan(searchParams.get("plan"));
  const overview = useBillingOverview(team.id, checkout);
  // Fetched alongside the overview rather than after it.
  const plans = usePlans();
  const portal = usePortal(team.id);
  const canManage = canManageBilling(team.role);
  const reasonId = useId();
  const portalErrors = formErrors(portal.error, []);

  function portalButton(label: string, variant: "primary" | "secondary") {
    return (
      <Button
        variant={variant}
        loading={portal.isPending || portal.isSuccess}
        disabled={!canManage}
        aria-describedby={canManage ? undefined : reasonId}
        onClick={() => {
          portal.mutate();
        }}
      >
        {label}
      </Button>
    );
  }

  function dismissCheckoutMessage() {
    setSearchParams(
      (params) => {
        params.delete("checkout");
        return params;
      },
      { replace: true },
    );
  }

  return (
    <>
      <title>{`Billing · ${team.name} · Luna`}</title>
      <PageHeader
        title="Billing"
        description={`${team.name} · one plan for every workspace`}
        actions={
          overview.data?.subscription
            ? portalButton("Manage payment method", "secondary")
            : undefined
        }
      />
      {checkout && (
        <Alert tone={checkout === "done" ? "success" : "info"} className="mb-6">
          <span className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2">
            {CHECKOUT_MESSAGES[checkout]}
            <Button variant="ghost" size="sm" onClick={dismissCheckoutMessage}>
              Dismiss
            </Button>
          </span>
        </Alert>
      )}
      {!canManage && <ManagersOnlyNote id={reasonId} teamName={team.name} role={team.role} />}
      {portalErrors.message && (
        <div className="mb-6">
          <FormAlert message={portalErrors.message} requestId={portalErrors.requestId} />
        </div>
      )}
      {overview.isPending ? (
        <BillingSkeleton />
      ) : overview.isError ? (
        <ErrorState
          title="Billing could not be loaded"
          message={overview.error.message}
          requestId={overview.error instanceof ApiProblem ? overview.error.requestId : null}
          onRetry={() => void overview.refetch()}
          retrying={overview.isFetching}
        />
      ) : (
        <>
          <DunningBanner
            subscription={overview.data.subscription}
            fixAction={portalButton("Update payment method", "primary")}
          />
          <CurrentPlanCard overview={overview.data} />
          <PlanPicker
            teamId={team.id}
            plans={plans}
            currentPlan={overview.data.plan}
            canManage={canManage}
            reasonId={reasonId}
            chosenPlanId={chosen === overview.data.plan.id ? null : chosen}
          />
        </>
      )}
      <InvoicesSection teamId={team.id} checkout={checkout} />
    </>
  );
}
