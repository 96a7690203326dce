import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, problem, page } from "../../test/fake-api";
import { billingOverview, me, plans, scalePlan } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { parseDomains, validateSsoForm, formValuesOf } from "./sso-form";
import { SsoPage } from "./SsoPage";

const SSO = "/api/v1/teams/team_1/sso";
const BILLING = "/api/v1/teams/team_1/billing";

const stored: Schemas["SsoConfigOut"] = {
  team_id: "team_1",
  issuer: "https://login.example.com",
  client_id: "luna-web",
  has_client_secret: true,
  allowed_domains: ["example.com"],
  default_role: "member",
  enabled: true,
  sso_required: false,
  redirect_uri: "https://luna.example/api/v1/auth/sso/team_1/callback",
  sign_in_url: "https://luna.example/api/v1/auth/sso/team_1/start",
  created_at: "2026-11-20T09:00:00Z",
  updated_at: "2026-11-20T09:00:00Z",
};

const notFound = () => problem(404, "not-found", "This team has no single sign-on configuration.");

type Answers = Parameters<typeof fakeApi>[0];

function renderSso({ role = "owner", answers = {} }: { role?: string; answers?: Answers } = {}) {
  const team = { ...me.teams[0], role, plan: "scale" } as Schemas["TeamOut"];
  const current = { team, workspace: team.workspaces[0] } as CurrentWorkspace;
  const requests = fakeApi({
    [`GET ${SSO}`]: notFound(),
    [`GET ${BILLING}`]: json(billingOverview({ plan: scalePlan })),
    "GET /api/v1/plans": page(plans),
    ...answers,
  });
  const view = renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "sso", element: <SsoPage /> }],
      },
      { path: "/w/:workspaceId/billing", element: <p>Billing</p> },
    ],
    "/w/ws_1/sso",
  );
  return { ...view, requests };
}

describe("SSO form rules", () => {
  it("reads domains however they are separated, once each, as the API stores them", () => {
    expect(parseDomains(" Example.com,@corp.example.org\n\nexample.com ")).toEqual([
      "example.com",
      "corp.example.org",
    ]);
  });

  it("keeps the stored secret unless the issuer or client id changes", () => {
    const values = formValuesOf(stored);
    expect(validateSsoForm(values, stored)).toEqual({
      ok: true,
      body: {
        issuer: "https://login.example.com",
        client_id: "luna-web",
        allowed_domains: ["example.com"],
        default_role: "member",
        enabled: true,
        sso_required: false,
      },
    });
    expect(validateSsoForm({ ...values, clientId: "other" }, stored)).toEqual({
      ok: false,
      errors: { client_secret: "The issuer or client id changed: enter the client secret again." },
    });
  });

  it("allows plain http only on this machine, and no query", () => {
    const values = { ...formValuesOf(null), clientId: "x", clientSecret: "s" };
    const issuerError = (issuer: string) => {
      const result = validateSsoForm({ ...values, issuer }, null);
      return result.ok ? null : (result.errors.issuer ?? null);
    };
    expect(issuerError("http://localhost:8080/realms/luna")).toBeNull();
    expect(issuerError("http://login.example.com")).toMatch(/https:\/\//);
    expect(issuerError("https://login.example.com?tenant=1")).toMatch(/query/);
    expect(issuerError("login.example.com")).toMatch(/URL/);
  });
});

describe("SsoPage", () => {
  it("checks the form before sending it, then saves a new configuration", async () => {
    const user = userEvent.setup();
    const { requests } = renderSso({
      answers: { [`PUT ${SSO}`]: json(stored) },
    });
    const issuer = await screen.findByLabelText("Issuer URL");
    expect(screen.getByLabelText("Redirect URI")).toHaveValue(
      `${window.location.origin}/api/v1/auth/sso/team_1/callback`,
    );
    await user.click(screen.getByRole("button", { name: "Save single sign-on" }));
    expect(issuer).toHaveAccessibleDescription(/Enter the provider's issuer URL/);
    expect(issuer).toHaveFocus();
    expect(screen.getByLabelText("Client ID")).toHaveAccessibleDescription(
      "Enter the client id the provider gave you.",
    );
    expect(screen.getByLabelText("Client secret")).toHaveAccessibleDescription(
      /Enter the client secret/,
    );

    await user.type(issuer, "http://login.example.com");
    await user.type(screen.getByLabelText("Client ID"), "luna-web");
    await user.type(screen.getByLabelText("Client secret"), "s3cret");
    await user.type(screen.getByLabelText("Allowed email domains"), "example.com\nnot_a_domain");
    await user.click(screen.getByRole("button", { name: "Save single sign-on" }));
    expect(issuer).toHaveAccessibleDescription(/Use an https:\/\/ URL/);
    expect(screen.getByLabelText("Allowed email domains")).toHaveAccessibleDescription(
      /“not_a_domain” is not an email domain/,
    );
    expect(requests.some((request) => request.method === "PUT")).toBe(false);

    await user.clear(issuer);
    await user.type(issuer, "https://login.example.com");
    await user.clear(screen.getByLabelText("Allowed email domains"));
    await user.type(screen.getByLabelText("Allowed email domains"), "Example.com, @example.org");
    await user.selectOptions(screen.getByLabelText("Role of people who join this way"), "viewer");
    await user.click(screen.getByLabelText("Require single sign-on"));
    await user.click(screen.getByRole("button", { name: "Save single sign-on" }));

    expect(await screen.findByText("Single sign-on is saved.")).toBeInTheDocument();
    const put = requests.find((request) => request.method === "PUT");
    expect(put?.body).toEqual({
      issuer: "https://login.example.com",
      client_id: "luna-web",
      client_secret: "s3cret",
      allowed_domains: ["example.com", "example.org"],
      default_role: "viewer",
      enabled: true,
      sso_required: true,
    });
    expect(screen.getByLabelText("Sign-in address")).toHaveValue(stored.sign_in_url);
    expect(screen.getByRole("heading", { name: "Identity provider" })).toHaveFocus();
  });

  it("shows the server's objection next to the field it is about", async () => {
    const user = userEvent.setup();
    renderSso({
      answers: {
        [`GET ${SSO}`]: json(stored),
        [`PUT ${SSO}`]: problem(422, "validation-failed", "The issuer could not be validated.", {
          errors: [
            { in: "body", pointer: "#/issuer", message: "No discovery document was found." },
          ],
        }),
      },
    });
    expect(await screen.findByLabelText("Sign-in address")).toHaveValue(stored.sign_in_url);
    expect(screen.getByText("Enabled", { selector: "span" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("No discovery document was found.")).toBeInTheDocument();
    expect(screen.getByLabelText("Issuer URL")).toHaveAccessibleDescription(
      /No discovery document was found/,
    );
  });

  it("asks for a fresh code when saving needs a step-up", async () => {
    const user = userEvent.setup();
    const { requests } = renderSso({
      answers: {
        [`GET ${SSO}`]: json(stored),
        [`PUT ${SSO}`]: [
          problem(401, "mfa-step-up-required", "This action needs a fresh code."),
          json({ ...stored, updated_at: "2026-11-21T09:00:00Z" }),
        ],
        "POST /api/v1/auth/mfa/step-up": new Response(null, { status: 204 }),
      },
    });
    await user.click(await screen.findByRole("button", { name: "Save changes" }));
    await user.type(await screen.findByLabelText("Authentication code"), "123456");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Single sign-on is saved.")).toBeInTheDocument();
    expect(requests.map((request) => `${request.method} ${request.path}`)).toContain(
      "POST /api/v1/auth/mfa/step-up",
    );
    expect(requests.filter((request) => request.method === "PUT")).toHaveLength(2);
  });

  it("explains a refusal of the plan (402) with a link to upgrade", async () => {
    const user = userEvent.setup();
    renderSso({
      answers: {
        [`GET ${SSO}`]: json(stored),
        [`PUT ${SSO}`]: problem(
          402,
          "entitlement-exceeded:sso",
          "The Growth plan does not include single sign-on.",
          { upgrade_plan: "scale" },
        ),
      },
    });
    await user.click(await screen.findByRole("button", { name: "Save changes" }));
    expect(
      await screen.findByText("The Growth plan does not include single sign-on."),
    ).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Upgrade to Scale" })).toHaveAttribute(
      "href",
      "/w/ws_1/billing",
    );
  });

  it("offers an upgrade instead of the form on a plan without single sign-on", async () => {
    renderSso({ answers: { [`GET ${BILLING}`]: json(billingOverview()) } });
    expect(await screen.findByText("Single sign-on needs a larger plan")).toBeInTheDocument();
    expect(
      screen.getByText("Ada's team is on the Growth plan, which does not include single sign-on."),
    ).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Upgrade to Scale" })).toHaveAttribute(
      "href",
      "/w/ws_1/billing",
    );
    expect(screen.queryByLabelText("Issuer URL")).not.toBeInTheDocument();
  });

  it("tells a member that only owners and admins manage it, without asking the API", async () => {
    const { requests } = renderSso({ role: "member" });
    expect(
      await screen.findByRole("heading", { name: "Only owners and admins manage single sign-on" }),
    ).toBeInTheDocument();
    expect(requests.some((request) => request.path === SSO)).toBe(false);
  });

  it("removes the configuration after confirmation", async () => {
    const user = userEvent.setup();
    renderSso({
      answers: {
        [`GET ${SSO}`]: json(stored),
        [`DELETE ${SSO}`]: new Response(null, { status: 204 }),
      },
    });
    await user.click(await screen.findByRole("button", { name: "Remove single sign-on" }));
    const confirm = screen.getByRole("alertdialog", {
      name: "Remove single sign-on from Ada's team?",
    });
    await user.click(within(confirm).getByRole("button", { name: "Remove single sign-on" }));
    expect(
      await screen.findByText("Single sign-on is removed from Ada's team."),
    ).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save single sign-on" })).toBeInTheDocument();
  });
});
