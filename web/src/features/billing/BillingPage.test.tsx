import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

import { formatDate } from "../../lib/dates";
import { fakeApi, json, problem, page } from "../../test/fake-api";
import { billingOverview, invoice, me, plans, scalePlan } from "../../test/fixtures";
import { stubLocationAssign } from "../../test/location";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { BillingPage } from "./BillingPage";

const BILLING = "/api/v1/teams/team_1/billing";
const INVOICES = "/api/v1/teams/team_1/invoices";
const CHECKOUT_URL = "https://checkout.stripe.test/c/pay/cs_test_1";

function renderBilling({ role = "owner", url = "/w/ws_1/billing" } = {}) {
  const team = me.teams[0];
  const current = { team: { ...team, role }, workspace: team?.workspaces[0] } as CurrentWorkspace;
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "billing", element: <BillingPage /> }],
      },
    ],
    url,
  );
}

function billingApi(overrides: Record<string, Response | Response[]> = {}) {
  return fakeApi({
    [`GET ${BILLING}`]: json(billingOverview()),
    [`GET ${INVOICES}`]: page([invoice()]),
    "GET /api/v1/plans": page(plans),
    ...overrides,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("BillingPage", () => {
  it("shows the plan, today's use as labelled bars, and the invoices", async () => {
    billingApi();
    renderBilling();
    const currentPlan = await screen.findByRole("region", { name: "Current plan" });
    expect(currentPlan).toHaveTextContent("Growth");
    expect(currentPlan).toHaveTextContent("$49 a month");
    expect(currentPlan).toHaveTextContent("2,000 runs a day");
    expect(currentPlan).toHaveTextContent("Active");
    expect(currentPlan).toHaveTextContent(`Renews on ${formatDate("2026-12-20T10:00:00Z")}.`);

    const runs = screen.getByRole("progressbar", { name: "Runs today" });
    expect(runs).toHaveAttribute("value", "150");
    expect(runs).toHaveAttribute("max", "2000");
    expect(runs).toHaveAccessibleDescription("150 of 2,000");
    expect(screen.getByRole("progressbar", { name: "Active agents" })).toHaveAttribute(
      "value",
      "19",
    );
    expect(screen.queryByRole("progressbar", { name: "Workspaces" })).not.toBeInTheDocument();
    const usage = screen.getByRole("list", { name: "Use of the plan's limits" });
    expect(within(usage).getByText("Workspaces").parentElement).toHaveTextContent("1 · Unlimited");

    const table = await screen.findByRole("table", { name: "The team's invoices, newest first" });
    const row = within(table).getAllByRole("row")[1];
    expect(row).toHaveTextContent("LUNA-0001");
    expect(row).toHaveTextContent(formatDate("2026-10-20T10:00:00Z"));
    expect(row).toHaveTextContent("$49.00");
    expect(row).toHaveTextContent("Paid");
    const view = within(table).getByRole("link", { name: /^View invoice LUNA-0001/ });
    expect(view).toHaveAttribute("href", "https://invoice.stripe.test/i/inv_1");
    expect(view).toHaveAttribute("rel", "noopener noreferrer");
    expect(view).toHaveAttribute("target", "_blank");
    const pdf = within(table).getByRole("link", { name: /^PDF of invoice LUNA-0001/ });
    expect(pdf).toHaveAttribute("href", "https://invoice.stripe.test/i/inv_1.pdf");
    expect(pdf).toHaveAttribute("rel", "noopener noreferrer");

    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("lists the public plans with the way to move to each", async () => {
    billingApi();
    renderBilling();
    const picker = await screen.findByRole("list", { name: "Plans" });
    expect(within(picker).getByRole("button", { name: "Current plan" })).toBeDisabled();
    expect(within(picker).getByRole("button", { name: "Upgrade to Scale" })).toBeEnabled();
    expect(within(picker).getByRole("button", { name: "Downgrade to Starter" })).toBeEnabled();
    expect(
      within(picker).getByRole("link", { name: "Contact sales about the Enterprise plan" }),
    ).toHaveAttribute("href", "mailto:sales@luna.example?subject=Luna%20Enterprise%20plan");
    expect(picker).toHaveTextContent("$299 a month");
    expect(picker).toHaveTextContent("Custom pricing");
  });

  it("puts the plan chosen on the pricing page forward, ready to check out", async () => {
    billingApi();
    renderBilling({ url: "/w/ws_1/billing?plan=scale" });
    const picker = await screen.findByRole("list", { name: "Plans" });
    expect(
      await screen.findByText(
        "You chose Scale on the pricing page: press Upgrade on it to check out.",
      ),
    ).toBeInTheDocument();
    const chosen = within(picker).getByText("Your choice").closest("[aria-current]");
    expect(chosen).toHaveTextContent("Scale");
    expect(
      within(chosen as HTMLElement).getByRole("button", { name: "Upgrade to Scale" }),
    ).toBeEnabled();
  });

  it("shows an empty state when the team has no invoices", async () => {
    billingApi({ [`GET ${INVOICES}`]: page([]) });
    renderBilling();
    expect(await screen.findByRole("heading", { name: "No invoices yet" })).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("warns of a failed payment with the day the team drops to Starter's limits", async () => {
    const user = userEvent.setup();
    const assign = stubLocationAssign();
    const graceUntil = "2026-11-27T10:00:00Z";
    const requests = billingApi({
      [`GET ${BILLING}`]: json(
        billingOverview({
          subscription: {
            provider: "stripe",
            plan_id: "growth",
            status: "past_due",
            current_period_end: "2026-12-20T10:00:00Z",
            cancel_at_period_end: false,
            past_due_since: "2026-11-20T10:00:00Z",
            grace_until: graceUntil,
          },
        }),
      ),
      [`POST ${BILLING}/portal`]: json({ url: "https://billing.stripe.test/p/session_1" }, 201),
    });
    renderBilling();
    const banner = await screen.findByRole("alert");
    expect(banner).toHaveTextContent("The last payment failed");
    expect(banner).toHaveTextContent(
      `The team drops to Starter's limits on ${formatDate(graceUntil)} unless the payment method is updated.`,
    );
    expect(screen.getByText("Payment overdue")).toBeInTheDocument();

    await user.click(within(banner).getByRole("button", { name: "Update payment method" }));
    await waitFor(() => {
      expect(assign).toHaveBeenCalledWith("https://billing.stripe.test/p/session_1");
    });
    expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
  });

  it("shows no dunning banner for a subscription that is paid up", async () => {
    billingApi({
      [`GET ${BILLING}`]: json(
        billingOverview({
          subscription: {
            provider: "stripe",
            plan_id: "growth",
            status: "active",
            current_period_end: "2026-12-20T10:00:00Z",
            cancel_at_period_end: true,
            past_due_since: null,
            grace_until: "2026-11-27T10:00:00Z",
          },
        }),
      ),
    });
    renderBilling();
    const currentPlan = await screen.findByRole("region", { name: "Current plan" });
    expect(currentPlan).toHaveTextContent(
      `Cancelled: the plan stays until ${formatDate("2026-12-20T10:00:00Z")}`,
    );
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.queryByText("The last payment failed")).not.toBeInTheDocument();
  });

  it("starts a Stripe checkout for an upgrade and goes to the page it returns", async () => {
    const user = userEvent.setup();
    const assign = stubLocationAssign();
    const requests = billingApi({
      [`POST ${BILLING}/checkout`]: json({ url: CHECKOUT_URL }, 201),
    });
    renderBilling();
    await user.click(await screen.findByRole("button", { name: "Upgrade to Scale" }));
    await waitFor(() => {
      expect(assign).toHaveBeenCalledWith(CHECKOUT_URL);
    });
    const post = requests.find((request) => request.method === "POST");
    expect(post?.path).toBe(`${BILLING}/checkout`);
    expect(post?.body).toEqual({ plan: "scale", provider: "stripe" });
    expect(screen.getByRole("button", { name: "Upgrade to Scale" })).toHaveAttribute(
      "aria-busy",
      "true",
    );
  });

  it("shows a refused checkout inline with its request id, and stays on the page", async () => {
    const user = userEvent.setup();
    const assign = stubLocationAssign();
    billingApi({
      [`POST ${BILLING}/checkout`]: problem(
        409,
        "conflict",
        "Stripe is not configured on this server.",
        {
          reason: "billing-not-configured",
          request_id: "req_checkout_1",
        },
      ),
    });
    renderBilling();
    await user.click(await screen.findByRole("button", { name: "Upgrade to Scale" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Stripe is not configured on this server.");
    expect(alert).toHaveTextContent("Request id req_checkout_1");
    expect(within(screen.getByRole("region", { name: "Change plan" })).getByRole("alert")).toBe(
      alert,
    );
    expect(screen.getByRole("button", { name: "Upgrade to Scale" })).toBeEnabled();
    expect(assign).not.toHaveBeenCalled();
  });

  it("opens the payment portal, and shows why when it cannot", async () => {
    const user = userEvent.setup();
    const assign = stubLocationAssign();
    const requests = billingApi({
      [`POST ${BILLING}/portal`]: [
        problem(409, "conflict", "The team has no Stripe subscription yet.", {
          reason: "no-customer",
        }),
        json({ url: "https://billing.stripe.test/p/session_2" }, 201),
      ],
    });
    renderBilling();
    const manage = await screen.findByRole("button", { name: "Manage payment method" });
    await user.click(manage);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The team has no Stripe subscription yet.");
    expect(alert).toHaveTextContent("Request id req_test");
    await user.click(manage);
    await waitFor(() => {
      expect(assign).toHaveBeenCalledWith("https://billing.stripe.test/p/session_2");
    });
    expect(requests.filter((request) => request.path === `${BILLING}/portal`)).toHaveLength(2);
  });

  it("shows members the billing with its buttons disabled, and why", async () => {
    const requests = billingApi();
    renderBilling({ role: "member" });
    const reason =
      "Only the owners and admins of Ada's team can change its plan or payment method; your role is member.";
    expect(await screen.findByText(reason)).toBeInTheDocument();
    for (const name of ["Manage payment method", "Upgrade to Scale", "Downgrade to Starter"]) {
      const button = await screen.findByRole("button", { name });
      expect(button).toBeDisabled();
      expect(button).toHaveAccessibleDescription(reason);
    }
    expect(await screen.findByRole("table")).toHaveTextContent("LUNA-0001");
    expect(requests.every((request) => request.method === "GET")).toBe(true);
  });

  it("shows a skeleton while loading, then an error with a retry", async () => {
    const user = userEvent.setup();
    billingApi({
      [`GET ${BILLING}`]: [
        problem(503, "service-unavailable", "The database is unavailable.", {
          request_id: "req_billing_1",
        }),
        json(billingOverview()),
      ],
    });
    renderBilling();
    expect(screen.getByText("Loading billing").closest("[role=status]")).toHaveAttribute(
      "aria-busy",
      "true",
    );
    const error = await screen.findByRole("alert");
    expect(error).toHaveTextContent("Billing could not be loaded");
    expect(error).toHaveTextContent("The database is unavailable.");
    expect(error).toHaveTextContent("req_billing_1");
    await user.click(within(error).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("region", { name: "Current plan" })).toHaveTextContent("Growth");
    expect(screen.queryByText("Billing could not be loaded")).not.toBeInTheDocument();
  });

  it("says the payment was received, and shows the new plan once the provider confirms it", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime.bind(vi) });
    const requests = billingApi({
      [`GET ${BILLING}`]: [json(billingOverview()), json(billingOverview({ plan: scalePlan }))],
    });
    const { router } = renderBilling({ url: "/w/ws_1/billing?checkout=done" });
    expect(
      await screen.findByText(
        "Payment received: your plan changes as soon as the payment provider confirms it.",
      ),
    ).toBeInTheDocument();
    const currentPlan = await screen.findByRole("region", { name: "Current plan" });
    expect(currentPlan).toHaveTextContent("Growth");
    await vi.advanceTimersByTimeAsync(5_000);
    await waitFor(() => {
      expect(currentPlan).toHaveTextContent("Scale");
    });
    expect(requests.filter((request) => request.path === BILLING)).toHaveLength(2);

    await user.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(router.state.location.search).toBe("");
    expect(screen.queryByText(/Payment received/)).not.toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests.filter((request) => request.path === BILLING)).toHaveLength(2);
  });

  it("says nothing was charged after a cancelled checkout", async () => {
    billingApi();
    renderBilling({ url: "/w/ws_1/billing?checkout=cancelled" });
    expect(await screen.findByText("Checkout cancelled: nothing was charged.")).toBeInTheDocument();
  });
});
