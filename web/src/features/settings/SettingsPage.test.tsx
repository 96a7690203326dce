import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Schemas } from "../../api/client";
import { json, noContent, problem } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { stubLocationAssign } from "../../test/location";
import { renderWorkspacePage, type Answers } from "../../test/workspace";
import { CONSENT_COOKIE, readConsentCookie } from "./consent-cookie";
import { SettingsPage } from "./SettingsPage";

const TOOLS = "/api/v1/workspaces/ws_1/tool-settings";
const noConsent: Schemas["CookieConsentOut"] = { signed_in: true, choice: null };
const tools: Schemas["ToolSettings"] = {
  http_allowed_hosts: ["api.github.com"],
  updated_at: null,
  updated_by_user_id: null,
};

function renderSettings({
  role = "owner",
  answers = {},
}: { role?: string; answers?: Answers } = {}) {
  return renderWorkspacePage({
    path: "settings",
    element: <SettingsPage />,
    role,
    answers: {
      "GET /api/v1/me/consent": json(noConsent),
      [`GET ${TOOLS}`]: json(tools),
      ...answers,
    },
  });
}

function section(name: string) {
  return screen.getByRole("region", { name });
}

afterEach(() => {
  document.cookie = `${CONSENT_COOKIE}=; Max-Age=0; Path=/`;
});

describe("SettingsPage", () => {
  it("renames the workspace and says when it is saved", async () => {
    const user = userEvent.setup();
    const { requests } = renderSettings({
      answers: {
        "PATCH /api/v1/workspaces/ws_1": json({
          id: "ws_1",
          team_id: "team_1",
          name: "Production",
          demo: false,
        }),
      },
    });
    const names = await screen.findByRole("region", { name: "Names" });
    const field = within(names).getByLabelText("Workspace name");
    await user.clear(field);
    await user.type(field, "  Production ");
    await user.click(
      within(within(names).getByRole("form", { name: "Change the workspace name" })).getByRole(
        "button",
        {
          name: "Save",
        },
      ),
    );

    expect(await within(names).findByText("Saved.")).toBeInTheDocument();
    const patched = requests.filter((request) => request.method === "PATCH");
    expect(patched.map((request) => [request.path, request.body])).toEqual([
      ["/api/v1/workspaces/ws_1", { name: "Production" }],
    ]);
  });

  it("shows a member the names without a way to change them", async () => {
    renderSettings({ role: "member" });
    const names = await screen.findByRole("region", { name: "Names" });
    expect(within(names).getByLabelText("Team name")).toHaveAttribute("readonly");
    expect(within(names).queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
  });

  it("checks the new password is typed twice alike, then shows the server's objections by field", async () => {
    const user = userEvent.setup();
    const { requests } = renderSettings({
      answers: {
        "POST /api/v1/me/password": [
          problem(422, "validation-failed", "The current password is not right.", {
            errors: [{ in: "body", pointer: "#/current_password", message: "Wrong password." }],
          }),
          problem(422, "validation-failed", "The request is invalid.", {
            errors: [
              {
                in: "body",
                pointer: "#/new_password",
                message: "This password is too common; choose another.",
              },
            ],
          }),
          noContent(),
        ],
      },
    });
    const password = within(await screen.findByRole("region", { name: "Password" }));
    await user.click(password.getByRole("button", { name: "Change" }));
    const current = password.getByLabelText("Current password");
    const fresh = password.getByLabelText("New password");
    const again = password.getByLabelText("New password again");
    const submit = password.getByRole("button", { name: "Change password" });

    await user.type(current, "old password");
    await user.type(fresh, "a new long password");
    await user.type(again, "a different password");
    await user.click(submit);
    expect(again).toHaveAccessibleDescription("The two new passwords are not the same.");
    expect(requests.some((request) => request.method === "POST")).toBe(false);

    await user.clear(again);
    await user.type(again, "a new long password");
    await user.click(submit);
    expect(await password.findByText("Wrong password.")).toBeInTheDocument();
    expect(current).toHaveAccessibleDescription("Wrong password.");
    expect(current).toBeInvalid();
    expect(again).not.toHaveAccessibleDescription();

    await user.click(submit);
    expect(
      await password.findByText("This password is too common; choose another."),
    ).toBeInTheDocument();
    expect(fresh).toHaveAccessibleDescription(/too common/);
    expect(current).toBeValid();

    await user.click(submit);
    expect(await password.findByText(/Your password is changed/)).toBeInTheDocument();
    expect(current).toHaveValue("");
    const posts = requests.filter((request) => request.method === "POST");
    expect(posts).toHaveLength(3);
    expect(posts[0]?.body).toEqual({
      current_password: "old password",
      new_password: "a new long password",
    });
  });

  it("asks to change the email address and says where the link went", async () => {
    const user = userEvent.setup();
    const { requests } = renderSettings({
      answers: {
        "POST /api/v1/me/email": [
          problem(422, "validation-failed", "That is already your email address.", {
            errors: [{ in: "body", pointer: "#/new_email", message: "Unchanged." }],
          }),
          new Response(null, { status: 202 }),
        ],
      },
    });
    const email = within(await screen.findByRole("region", { name: "Email address" }));
    expect(section("Email address")).toHaveTextContent("You sign in as ada@example.com");
    expect(email.queryByLabelText("New email address")).toBeNull();
    await user.click(email.getByRole("button", { name: "Change" }));
    expect(email.getByRole("button", { name: "Close" })).toHaveAttribute("aria-expanded", "true");
    await user.type(email.getByLabelText("New email address"), "ada@example.com");
    await user.type(email.getByLabelText("Your password"), "correct horse battery staple");
    await user.click(email.getByRole("button", { name: "Send confirmation link" }));
    expect(await email.findByText("Unchanged.")).toBeInTheDocument();
    expect(email.getByLabelText("New email address")).toHaveAccessibleDescription("Unchanged.");

    await user.clear(email.getByLabelText("New email address"));
    await user.type(email.getByLabelText("New email address"), "ada@lovelace.example");
    await user.click(email.getByRole("button", { name: "Send confirmation link" }));
    expect(await email.findByText("Check your new inbox")).toBeInTheDocument();
    expect(section("Email address")).toHaveTextContent(
      "We sent a link to ada@lovelace.example. Your address changes when you open it",
    );
    expect(requests.filter((request) => request.method === "POST").at(-1)?.body).toEqual({
      new_email: "ada@lovelace.example",
      password: "correct horse battery staple",
    });
  });

  it("saves the cookie choice on the account and in the site's consent cookie", async () => {
    const user = userEvent.setup();
    const { requests } = renderSettings({
      answers: {
        "PUT /api/v1/me/consent": json({
          signed_in: true,
          choice: { analytics: true, marketing: false, updated_at: "2026-11-20T09:00:00Z" },
        }),
      },
    });
    const cookies = within(await screen.findByRole("region", { name: "Cookies" }));
    expect(await cookies.findByLabelText("Necessary cookies")).toBeDisabled();
    expect(cookies.getByLabelText("Necessary cookies")).toBeChecked();
    expect(cookies.getByText(/You have not chosen yet/)).toBeInTheDocument();
    await user.click(cookies.getByLabelText("Analytics cookies"));
    await user.click(cookies.getByRole("button", { name: "Save cookie choice" }));

    expect(await cookies.findByText(/Your choice is saved/)).toBeInTheDocument();
    expect(requests.find((request) => request.method === "PUT")?.body).toEqual({
      analytics: true,
      marketing: false,
    });
    expect(readConsentCookie()).toEqual({ analytics: true, marketing: false });
    expect(document.cookie).toContain(`${CONSENT_COOKIE}=v1.a1.m0`);
  });

  it("starts the cookie choice from this browser's cookie when the account has none", async () => {
    document.cookie = `${CONSENT_COOKIE}=v1.a0.m1; Path=/`;
    renderSettings();
    const cookies = within(await screen.findByRole("region", { name: "Cookies" }));
    expect(await cookies.findByLabelText("Marketing cookies")).toBeChecked();
    expect(cookies.getByLabelText("Analytics cookies")).not.toBeChecked();
  });

  it("lets an admin change the hosts agents may fetch from", async () => {
    const user = userEvent.setup();
    const { requests } = renderSettings({
      role: "admin",
      answers: {
        [`PUT ${TOOLS}`]: [
          problem(422, "validation-failed", "The request is invalid.", {
            errors: [
              {
                in: "body",
                pointer: "#/http_allowed_hosts/1",
                message: "Give a host name, an address or *.example.com.",
              },
            ],
          }),
          json({
            http_allowed_hosts: ["api.github.com", "*.example.com"],
            updated_at: "2026-11-20T09:00:00Z",
            updated_by_user_id: "usr_1",
          }),
        ],
      },
    });
    const toolsSection = within(await screen.findByRole("region", { name: "Tools" }));
    const hosts = await toolsSection.findByLabelText("Hosts agents may fetch from");
    expect(hosts).toHaveValue("api.github.com");
    await user.type(hosts, "\nhttp://bad/ path");
    await user.click(toolsSection.getByRole("button", { name: "Save tool settings" }));
    expect(hosts).toHaveAccessibleDescription(/Give a host name/);

    await user.clear(hosts);
    await user.type(hosts, "api.github.com\n*.Example.com\napi.github.com");
    await user.click(toolsSection.getByRole("button", { name: "Save tool settings" }));
    expect(await toolsSection.findByText("The tool settings are saved.")).toBeInTheDocument();
    expect(requests.filter((request) => request.method === "PUT").at(-1)?.body).toEqual({
      http_allowed_hosts: ["api.github.com", "*.Example.com"],
    });
    expect(hosts).toHaveValue("api.github.com\n*.example.com");
  });

  it("shows a viewer the hosts without a way to change them", async () => {
    renderSettings({ role: "viewer" });
    const toolsSection = within(await screen.findByRole("region", { name: "Tools" }));
    const list = await toolsSection.findByRole("list", { name: "Hosts agents may fetch from" });
    expect(list).toHaveTextContent("api.github.com");
    expect(toolsSection.getByText(/you are a viewer/)).toBeInTheDocument();
    expect(toolsSection.queryByRole("button")).not.toBeInTheDocument();
  });

  it("creates a workspace in the team and opens it, or says the plan has no room", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderSettings({
      answers: {
        "POST /api/v1/workspaces": [
          problem(402, "entitlement-exceeded:workspaces", "The Starter plan has 1 workspace.", {
            limit: 1,
            current: 1,
            plan: "starter",
            upgrade_plan: "growth",
            upgrade_url: "/app/w/ws_1/billing",
          }),
          json({ id: "ws_2", team_id: "team_1", name: "Staging", demo: false }, 201),
        ],
      },
    });
    const names = await screen.findByRole("region", { name: "Names" });
    const field = within(names).getByLabelText("New workspace in Ada's team");
    await user.type(field, " Staging ");
    await user.click(within(names).getByRole("button", { name: "Create workspace" }));
    await within(names).findByText("Your plan's limit is reached");
    expect(names).toHaveTextContent("In use: 1 of 1.");
    expect(within(names).getByRole("link", { name: "Upgrade to Growth" })).toBeInTheDocument();

    await user.click(within(names).getByRole("button", { name: "Create workspace" }));
    await vi.waitFor(() => {
      expect(router.state.location.pathname).toBe("/w/ws_2");
    });
    const posts = requests.filter((request) => request.method === "POST");
    expect(posts.map((request) => request.body)).toEqual([
      { team_id: "team_1", name: "Staging" },
      { team_id: "team_1", name: "Staging" },
    ]);
  });

  it("offers a new workspace only to owners and admins", async () => {
    renderSettings({ role: "member" });
    const names = await screen.findByRole("region", { name: "Names" });
    expect(within(names).queryByRole("button", { name: "Create workspace" })).toBeNull();
  });

  it("deletes the account once confirmed, after listing what must be settled first", async () => {
    const user = userEvent.setup();
    const assign = stubLocationAssign();
    const { requests } = renderSettings({
      answers: {
        "DELETE /api/v1/me": [
          problem(409, "conflict", "Your account cannot be deleted yet.", {
            blockers: [
              {
                team_id: "team_2",
                team_name: "Analytical Engines",
                reason: "last-owner",
                message:
                  "You are the last owner of “Analytical Engines”: make another member an owner.",
              },
            ],
          }),
          noContent(),
        ],
      },
    });
    const danger = within(await screen.findByRole("region", { name: "Delete account" }));
    await user.click(danger.getByRole("button", { name: "Delete account…" }));
    const dialog = within(await screen.findByRole("alertdialog", { name: "Delete your account?" }));
    await user.type(dialog.getByLabelText("Type ada@example.com to confirm"), "ada@example.com");
    await user.type(dialog.getByLabelText("Your password"), "correct horse battery staple");
    await user.click(dialog.getByRole("button", { name: "Delete account" }));
    expect(await dialog.findByText("First, settle these")).toBeInTheDocument();
    expect(dialog.getByRole("listitem")).toHaveTextContent("last owner of “Analytical Engines”");
    expect(assign).not.toHaveBeenCalled();

    await user.click(dialog.getByRole("button", { name: "Delete account" }));
    await vi.waitFor(() => {
      expect(assign).toHaveBeenCalledWith("/sign-in?reason=account-deleted");
    });
    const deletions = requests.filter((request) => request.method === "DELETE");
    expect(deletions.map((request) => request.body)).toEqual([
      { email: "ada@example.com", password: "correct horse battery staple" },
      { email: "ada@example.com", password: "correct horse battery staple" },
    ]);
  });

  it("asks an account without a password for its address only", async () => {
    const user = userEvent.setup();
    renderSettings({
      answers: {
        "GET /api/v1/me": json({ ...me, user: { ...me.user, has_password: false } }),
        "DELETE /api/v1/me": problem(
          422,
          "validation-failed",
          "Type your account's email address to confirm.",
          {
            errors: [{ in: "body", pointer: "#/email", message: "Not this account's address." }],
          },
        ),
      },
    });
    const danger = within(await screen.findByRole("region", { name: "Delete account" }));
    await user.click(danger.getByRole("button", { name: "Delete account…" }));
    const dialog = within(await screen.findByRole("alertdialog"));
    expect(dialog.queryByLabelText("Your password")).toBeNull();
    await user.type(dialog.getByLabelText("Type ada@example.com to confirm"), "grace@example.com");
    await user.click(dialog.getByRole("button", { name: "Delete account" }));
    expect(await dialog.findByText("Not this account's address.")).toBeInTheDocument();
  });
});
