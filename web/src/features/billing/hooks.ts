import { queryOptions, useMutation, useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import { isWebAddress } from "./links";

export type BillingOverview = Schemas["BillingOverview"];
export type Plan = Schemas["PlanOut"];
export type Subscription = Schemas["SubscriptionOut"];
export type EntitlementUse = Schemas["EntitlementUse"];
export type Invoice = Schemas["InvoiceOut"];

/** Owners and admins change a team's billing; everyone in the team may read it. */
export function canManageBilling(role: string): boolean {
  return role === "owner" || role === "admin";
}

export function billingQuery(teamId: string) {
  return queryOptions({
    queryKey: ["teams", teamId, "billing"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/teams/{team_id}/billing", {
          params: { path: { team_id: teamId } },
          signal,
        }),
      ),
  });
}

export function invoicesQuery(teamId: string) {
  return queryOptions({
    queryKey: ["teams", teamId, "invoices"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/teams/{team_id}/invoices", {
          params: { path: { team_id: teamId } },
          signal,
        }),
      ).then((page) => page.items),
  });
}

/** The price list: the public plans, cheapest first. */
export const plansQuery = queryOptions({
  queryKey: ["plans"] as const,
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/plans", { signal })).then((page) => page.items),
  staleTime: 10 * 60_000,
});

/** How a checkout ended, from `?checkout=` on the address the provider sends back to. */
export type CheckoutOutcome = "done" | "cancelled";

export function checkoutOutcomeOf(param: string | null): CheckoutOutcome | null {
  return param === "done" || param === "cancelled" ? param : null;
}

/** How many times the overview is fetched, five seconds apart, after a paid checkout. */
const FETCHES_AFTER_PAYMENT = 6;

/**
 * The team's plan, subscription and use today. Back from a checkout it is fetched afresh;
 * after a payment, again for a little while: the plan changes only when the provider's
 * webhook arrives, usually within seconds.
 */
export function useBillingOverview(teamId: string, checkout: CheckoutOutcome | null = null) {
  return useQuery({
    ...billingQuery(teamId),
    refetchOnMount: checkout ? "always" : true,
    refetchInterval: (query) =>
      checkout === "done" && query.state.dataUpdateCount < FETCHES_AFTER_PAYMENT ? 5_000 : false,
  });
}

export function useInvoices(teamId: string, checkout: CheckoutOutcome | null = null) {
  return useQuery({ ...invoicesQuery(teamId), refetchOnMount: checkout ? "always" : true });
}

export function usePlans() {
  return useQuery(plansQuery);
}

/** Leaves the app for the payment provider's page. */
function goToPaymentProvider(url: string): void {
  if (!isWebAddress(url)) {
    throw new Error(`The payment provider's address is not a web address: ${url}`);
  }
  window.location.assign(url);
}

/** Starts a Stripe checkout for `plan` and sends the browser to it. */
export function useCheckout(teamId: string) {
  return useMutation({
    mutationFn: async (plan: string) => {
      const { url } = await unwrap(
        api.POST("/api/v1/teams/{team_id}/billing/checkout", {
          params: { path: { team_id: teamId } },
          body: { plan, provider: "stripe" },
        }),
      );
      goToPaymentProvider(url);
    },
  });
}

/** Opens the Stripe customer portal: cards, cancellation, past invoices. */
export function usePortal(teamId: string) {
  return useMutation({
    mutationFn: async () => {
      const { url } = await unwrap(
        api.POST("/api/v1/teams/{team_id}/billing/portal", {
          params: { path: { team_id: teamId } },
        }),
      );
      goToPaymentProvider(url);
    },
  });
}
