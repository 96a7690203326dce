import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, problem, type RecordedRequest } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { auditEventsCsv } from "./audit-csv";
import { changeView, viewFromParams, writeView } from "./audit-view";
import { AuditLogPage } from "./AuditLogPage";

const AUDIT = "/api/v1/teams/team_1/audit-log";

function event(overrides: Partial<Schemas["AuditEventOut"]> = {}): Schemas["AuditEventOut"] {
  return {
    id: "aud_2",
    action: "auth.mfa_enabled",
    actor: { user_id: "usr_1", email: "ada@example.com", api_key_id: null },
    target: { type: "user", id: "usr_1" },
    ip_address: "203.0.113.7",
    user_agent: "Mozilla/5.0 Firefox/140.0",
    data: {},
    created_at: "2026-11-20T09:00:00Z",
    ...overrides,
  };
}

const mfaEnabled = event();
const invited = event({
  id: "aud_1",
  action: "member.invited",
  target: { type: "invitation", id: "inv_1" },
  data: { email: "grace@example.com", role: "admin" },
  created_at: "2026-11-19T09:00:00Z",
});

/** Answers each page of the log by its cursor: page one, then page two. */
function pages(request: RecordedRequest): Response {
  if (request.query.cursor === "aud_2") {
    return json({ items: [invited], next_cursor: null });
  }
  const events = request.query.action === "member.invited" ? [invited] : [mfaEnabled];
  return json({ items: events, next_cursor: request.query.action ? null : "aud_2" });
}

function renderAuditLog({ role = "owner", url = "/w/ws_1/audit-log" } = {}) {
  const team = { ...me.teams[0], role } as Schemas["TeamOut"];
  const current = { team, workspace: team.workspaces[0] } as CurrentWorkspace;
  const requests = fakeApi({ [`GET ${AUDIT}`]: pages });
  const view = renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "audit-log", element: <AuditLogPage /> }],
      },
    ],
    url,
  );
  return { ...view, requests };
}

describe("audit log view", () => {
  it("round-trips through the address, leaving out the defaults", () => {
    const view = viewFromParams(
      new URLSearchParams("action=sso.configured&limit=100&cursor=a&cursor=b"),
    );
    expect(view).toEqual({ action: "sso.configured", limit: 100, cursors: ["a", "b"] });
    expect(writeView(new URLSearchParams(), view).toString()).toBe(
      "action=sso.configured&limit=100&cursor=a&cursor=b",
    );
    expect(viewFromParams(new URLSearchParams("action=nonsense&limit=7"))).toEqual({
      action: null,
      limit: 50,
      cursors: [],
    });
  });

  it("starts again at the first page when the filter changes", () => {
    const current = { action: null, limit: 50 as const, cursors: ["a"] };
    expect(changeView(current, { action: "auth.login" }).cursors).toEqual([]);
    expect(changeView(current, { cursors: ["a", "b"] }).cursors).toEqual(["a", "b"]);
  });

  it("exports events as CSV that a spreadsheet cannot run", () => {
    const csv = auditEventsCsv([
      event({ data: { note: 'said "hi", then =1+1' } }),
      event({ actor: { user_id: null, email: "=HYPERLINK(1)", api_key_id: null } }),
    ]);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "time,action,actor_email,actor_user_id,actor_api_key_id,target_type,target_id,ip_address,user_agent,details",
    );
    expect(lines[1]).toContain('"{""note"":""said \\""hi\\"", then =1+1""}"');
    expect(lines[2]).toContain(",'=HYPERLINK(1),");
  });
});

describe("AuditLogPage", () => {
  it("shows who did what, with the details on demand", async () => {
    const user = userEvent.setup();
    renderAuditLog();
    const table = await screen.findByRole("table", { name: "Audit log of Ada's team, page 1" });
    const row = within(table).getByRole("row", { name: /ada@example\.com/ });
    expect(row).toHaveTextContent("ada@example.com");
    expect(row).toHaveTextContent("Two-factor authentication turned on");
    expect(row).toHaveTextContent("auth.mfa_enabled");
    expect(row).toHaveTextContent("203.0.113.7");
    const details = within(row).getByText(/^Details/, { selector: "summary" });
    expect(details).toHaveTextContent("Details of Two-factor authentication turned on at");
    expect(within(table).getByText("Mozilla/5.0 Firefox/140.0")).not.toBeVisible();
    await user.click(details);
    expect(within(table).getByText("Mozilla/5.0 Firefox/140.0")).toBeVisible();
    const exported = screen.getByRole("link", { name: "Export this page as CSV" });
    expect(exported).toHaveAttribute("download", "audit-log-page-1.csv");
    expect(decodeURIComponent(exported.getAttribute("href") ?? "")).toContain("auth.mfa_enabled");
  });

  it("keeps the filter and the page in the address, and asks the API for them", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderAuditLog();
    await screen.findByRole("table");

    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("table", { name: /page 2/ })).toHaveTextContent(
      "member.invited",
    );
    expect(router.state.location.search).toBe("?cursor=aud_2");
    expect(requests.at(-1)?.query).toEqual({ limit: "50", cursor: "aud_2" });

    await user.selectOptions(screen.getByLabelText("Action"), "member.invited");
    expect(router.state.location.search).toBe("?action=member.invited");
    expect(await screen.findByRole("table", { name: /page 1/ })).toHaveTextContent(
      "Member invited",
    );
    expect(requests.at(-1)?.query).toEqual({ limit: "50", action: "member.invited" });
    // One page of them: no pager.
    expect(screen.queryByRole("button", { name: "Next" })).not.toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("Events a page"), "200");
    expect(router.state.location.search).toBe("?action=member.invited&limit=200");
    expect(requests.at(-1)?.query).toEqual({ limit: "200", action: "member.invited" });
  });

  it("starts from the address it is opened at", async () => {
    const { requests } = renderAuditLog({ url: "/w/ws_1/audit-log?action=member.invited" });
    expect(await screen.findByRole("table")).toHaveTextContent("Member invited");
    expect(screen.getByLabelText("Action")).toHaveValue("member.invited");
    expect(requests[0]?.query).toEqual({ limit: "50", action: "member.invited" });
  });

  it("says so when nothing matches, and when the log cannot be loaded", async () => {
    fakeApi({
      [`GET ${AUDIT}`]: [
        json({ items: [], next_cursor: null }),
        problem(503, "service-unavailable", "The database is unavailable."),
      ],
    });
    const team = { ...me.teams[0], role: "admin" } as Schemas["TeamOut"];
    const current = { team, workspace: team.workspaces[0] } as CurrentWorkspace;
    const { router } = renderRoutes(
      [
        {
          path: "/w/:workspaceId",
          element: <Outlet context={current} />,
          children: [{ path: "audit-log", element: <AuditLogPage /> }],
        },
      ],
      "/w/ws_1/audit-log?action=sso.removed",
    );
    expect(await screen.findByRole("heading", { name: "No events match" })).toBeInTheDocument();
    await router.navigate("/w/ws_1/audit-log?action=sso.configured");
    expect(await screen.findByText("The database is unavailable.")).toBeInTheDocument();
  });

  it("tells a member that only owners and admins see it, without asking the API", async () => {
    const { requests } = renderAuditLog({ role: "member" });
    expect(
      await screen.findByRole("heading", { name: "Only owners and admins see the audit log" }),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText("Action")).not.toBeInTheDocument();
    expect(requests).toHaveLength(0);
  });
});
