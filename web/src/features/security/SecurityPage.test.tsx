import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, noContent, problem, page } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { SecurityPage } from "./SecurityPage";

const MFA = "/api/v1/auth/mfa";
const team = me.teams[0];
const current = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;
const SECRET = "JBSWY3DPEHPK3PXP";
const CODES = ["abcde-fghjk", "mnpqr-stuvw", "xyz23-45678"];

const off: Schemas["MfaStatusOut"] = {
  enabled: false,
  confirmed_at: null,
  recovery_codes_remaining: 0,
};
const on: Schemas["MfaStatusOut"] = {
  enabled: true,
  confirmed_at: "2026-11-20T09:00:00Z",
  recovery_codes_remaining: 10,
};
const session: Schemas["SessionOut"] = {
  id: "ses_1",
  created_at: "2026-11-20T09:00:00Z",
  last_seen_at: "2026-11-20T09:30:00Z",
  expires_at: "2026-12-20T09:30:00Z",
  ip_address: "127.0.0.1",
  user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
  current: true,
};

function renderSecurity() {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "account/security", element: <SecurityPage /> }],
      },
    ],
    "/w/ws_1/account/security",
  );
}

describe("SecurityPage", () => {
  it("turns two-factor authentication on: QR code, typed key, a code, then recovery codes", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${MFA}`]: [json(off), json({ ...on, recovery_codes_remaining: 3 })],
      "GET /api/v1/me/sessions": page([session]),
      [`POST ${MFA}/totp/enrol`]: json(
        {
          secret: SECRET,
          otpauth_uri: `otpauth://totp/Luna:ada%40example.com?secret=${SECRET}&issuer=Luna`,
        },
        201,
      ),
      [`POST ${MFA}/totp/confirm`]: [
        problem(422, "validation-failed", "The code is not right.", {
          errors: [{ in: "body", pointer: "#/code", message: "Wrong or expired code." }],
        }),
        json({ codes: CODES }),
      ],
    });
    renderSecurity();
    expect(await screen.findByText("Two-factor authentication is off")).toBeInTheDocument();
    expect(screen.getByText("Only this browser is signed in to your account.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Review sessions" })).toHaveAttribute(
      "href",
      "/w/ws_1/account/sessions",
    );

    await user.click(screen.getByRole("button", { name: "Set up an authenticator app" }));
    const dialog = await screen.findByRole("dialog", { name: "Set up an authenticator app" });
    const qrCode = within(dialog).getByRole("img", { name: /QR code/ });
    expect(qrCode.getAttribute("src")).toMatch(/^data:image\/svg\+xml;/);
    expect(within(dialog).getByLabelText("Setup key")).toHaveValue(SECRET);
    const code = within(dialog).getByLabelText("Authentication code");
    expect(code).toHaveFocus();

    await user.type(code, "000000");
    await user.click(within(dialog).getByRole("button", { name: "Turn on" }));
    expect(await within(dialog).findByText("Wrong or expired code.")).toBeInTheDocument();
    expect(code).toHaveAccessibleDescription(/Wrong or expired code/);

    await user.clear(code);
    await user.type(code, "123456");
    await user.click(within(dialog).getByRole("button", { name: "Turn on" }));
    const saved = await screen.findByRole("dialog", { name: "Save your recovery codes" });
    const list = within(saved).getByRole("list", { name: "Recovery codes" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(CODES);
    const download = within(saved).getByRole("link", { name: "Download codes" });
    expect(download).toHaveAttribute("download", "luna-recovery-codes.txt");
    expect(decodeURIComponent(download.getAttribute("href") ?? "")).toContain(CODES[0]);
    // The codes stay while the status is fetched again: Escape does not close them.
    expect(await screen.findByText("Two-factor authentication is on")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.getByRole("dialog", { name: "Save your recovery codes" })).toBeInTheDocument();

    await user.click(within(saved).getByRole("button", { name: "I have saved them" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Two-factor authentication" })).toHaveFocus();
    expect(screen.getByText("You are running out of recovery codes: make new ones.")).toBeVisible();
    const confirms = requests.filter((request) => request.path === `${MFA}/totp/confirm`);
    expect(confirms.map((request) => request.body)).toEqual([
      { code: "000000" },
      { code: "123456" },
    ]);
  });

  it("asks for a fresh code before replacing the recovery codes", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${MFA}`]: json(on),
      "GET /api/v1/me/sessions": page([session, { ...session, id: "ses_2", current: false }]),
      [`POST ${MFA}/recovery-codes`]: [
        problem(
          401,
          "mfa-step-up-required",
          "This action needs a fresh code from your authenticator app: step up first.",
        ),
        json({ codes: CODES }),
      ],
      [`POST ${MFA}/step-up`]: [
        problem(401, "mfa-code-invalid", "The code is not right, or it was already used."),
        noContent(),
      ],
    });
    renderSecurity();
    expect(
      await screen.findByText("2 browsers are signed in to your account, this one included."),
    ).toBeInTheDocument();
    await user.click(await screen.findByRole("button", { name: "New recovery codes" }));
    const confirm = screen.getByRole("alertdialog", { name: "Replace your recovery codes?" });
    await user.click(within(confirm).getByRole("button", { name: "Replace codes" }));

    const code = await within(confirm).findByLabelText("Authentication code");
    expect(within(confirm).getByText(/needs a fresh code/)).toBeInTheDocument();
    expect(code).toHaveFocus();
    await user.type(code, "111111");
    await user.click(within(confirm).getByRole("button", { name: "Replace codes" }));
    expect(
      await within(confirm).findByText("The code is not right, or it was already used."),
    ).toBeInTheDocument();

    await user.click(within(confirm).getByRole("button", { name: "Use a recovery code" }));
    await user.type(within(confirm).getByLabelText("Recovery code"), "abcde-fghjk");
    await user.click(within(confirm).getByRole("button", { name: "Replace codes" }));
    expect(
      await screen.findByRole("dialog", { name: "Save your new recovery codes" }),
    ).toBeInTheDocument();
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${MFA}`,
      "GET /api/v1/me/sessions",
      `POST ${MFA}/recovery-codes`,
      `POST ${MFA}/step-up`,
      `POST ${MFA}/step-up`,
      `POST ${MFA}/recovery-codes`,
      `GET ${MFA}`,
    ]);
    expect(requests[3]?.body).toEqual({ code: "111111" });
    expect(requests[4]?.body).toEqual({ recovery_code: "abcde-fghjk" });
  });

  it("turns two-factor authentication off with the password", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${MFA}`]: [json(on), json(off)],
      "GET /api/v1/me/sessions": page([session]),
      [`DELETE ${MFA}/totp`]: [
        problem(422, "validation-failed", "The password is not right.", {
          errors: [{ in: "body", pointer: "#/password", message: "Wrong password." }],
        }),
        noContent(),
      ],
    });
    renderSecurity();
    await user.click(
      await screen.findByRole("button", { name: "Turn off two-factor authentication" }),
    );
    const confirm = screen.getByRole("alertdialog", {
      name: "Turn off two-factor authentication?",
    });
    const password = within(confirm).getByLabelText("Your password");
    await user.type(password, "not it");
    await user.click(within(confirm).getByRole("button", { name: "Turn off" }));
    expect(await within(confirm).findByText("Wrong password.")).toBeInTheDocument();
    expect(password).toBeInvalid();

    await user.clear(password);
    await user.type(password, "correct horse battery staple");
    await user.click(within(confirm).getByRole("button", { name: "Turn off" }));
    expect(await screen.findByText("Two-factor authentication is off.")).toBeInTheDocument();
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByRole("button", { name: "Set up an authenticator app" })).toBeVisible();
    });
    const deletes = requests.filter((request) => request.method === "DELETE");
    expect(deletes.map((request) => request.body)).toEqual([
      { password: "not it" },
      { password: "correct horse battery staple" },
    ]);
  });

  it("shows an error state with a retry when the status cannot be loaded", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${MFA}`]: [
        problem(503, "service-unavailable", "The database is unavailable."),
        json(on),
      ],
      "GET /api/v1/me/sessions": page([session]),
    });
    renderSecurity();
    expect(await screen.findByText("The database is unavailable.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Two-factor authentication is on")).toBeInTheDocument();
  });
});
