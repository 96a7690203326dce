import type { ReactNode } from "react";

import { Alert } from "../../components/ui/Alert";
import { formatDate } from "../../lib/dates";
import type { Subscription } from "./hooks";

interface DunningBannerProps {
  subscription: Subscription | null;
  /** The button that opens the payment portal, to change the card. */
  fixAction: ReactNode;
}

/** Says that a payment failed, and until when the team keeps its plan. */
export function DunningBanner({ subscription, fixAction }: DunningBannerProps) {
  if (subscription?.status !== "past_due") {
    return null;
  }
  const grace = subscription.grace_until;
  return (
    <Alert tone="error" title="The last payment failed" className="mb-6">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <p>
          {grace ? (
            <>
              The team drops to Starter&apos;s limits on{" "}
              <time dateTime={grace} className="font-semibold">
                {formatDate(grace)}
              </time>{" "}
              unless the payment method is updated. No data is deleted.
            </>
          ) : (
            <>Update the payment method to keep the plan.</>
          )}
        </p>
        {fixAction}
      </div>
    </Alert>
  );
}
