import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import { fakeApi, json, noContent, problem, page } from "../../test/fake-api";
import { apiKey, me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { ApiKeysPage } from "./ApiKeysPage";

const KEYS_PATH = "/api/v1/workspaces/ws_1/api-keys";
const team = me.teams[0];
const current = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;
const SECRET = "luna_sk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg";

function renderApiKeys(url = "/w/ws_1/api-keys") {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "api-keys", element: <ApiKeysPage /> }],
      },
    ],
    url,
  );
}

describe("ApiKeysPage", () => {
  it("lists keys by their prefix, with scopes and status, never a secret", async () => {
    fakeApi({
      [`GET ${KEYS_PATH}`]: page([
        apiKey(),
        apiKey({
          id: "key_2",
          name: "Old laptop",
          prefix: "luna_sk_Zz9",
          revoked_at: "2026-11-21T10:00:00Z",
        }),
      ]),
    });
    renderApiKeys();
    const table = await screen.findByRole("table", { name: "API keys of this workspace" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("CI pipeline");
    expect(rows[1]).toHaveTextContent("luna_sk_AbC…");
    expect(rows[1]).toHaveTextContent("runs:write");
    expect(rows[1]).toHaveTextContent("Active");
    expect(rows[2]).toHaveTextContent("Revoked");
    const revoked = screen.getByRole("row", { name: /Old laptop/ });
    expect(within(revoked).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();
  });

  it("shows an empty state, and an error state with a retry", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${KEYS_PATH}`]: [
        problem(503, "service-unavailable", "The database is unavailable."),
        page([]),
      ],
    });
    renderApiKeys();
    expect(await screen.findByText("The database is unavailable.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { name: "No API keys yet" })).toBeInTheDocument();
  });

  it("makes one key for a double click on Create key, and it is the one shown", async () => {
    const user = userEvent.setup();
    const created = apiKey({ id: "key_3", name: "Deploys", scopes: ["runs:read"] });
    const requests = fakeApi({
      [`GET ${KEYS_PATH}`]: [page([]), page([created])],
      [`POST ${KEYS_PATH}`]: json({ ...created, key: SECRET }, 201),
    });
    renderApiKeys();
    await user.click(await screen.findByRole("button", { name: "Create API key" }));
    const dialog = screen.getByRole("dialog", { name: "Create an API key" });
    await user.type(within(dialog).getByLabelText("Name"), "Deploys");
    const create = within(dialog).getByRole("button", { name: "Create key" });

    fireEvent.click(create);
    fireEvent.click(create);

    const shown = await screen.findByRole("dialog", { name: "Copy your new API key" });
    expect(within(shown).getByLabelText("Your new API key")).toHaveValue(SECRET);
    expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
  });

  it("creates a key and shows its secret once, with a copy button", async () => {
    const user = userEvent.setup();
    const created = apiKey({ id: "key_3", name: "Billing service", scopes: ["usage:read"] });
    const requests = fakeApi({
      [`GET ${KEYS_PATH}`]: [page([]), page([created])],
      [`POST ${KEYS_PATH}`]: [
        problem(422, "validation-failed", "The expiry must be in the future.", {
          errors: [{ in: "body", pointer: "#/name", message: "This name is taken." }],
        }),
        json({ ...created, key: SECRET }, 201),
      ],
    });
    renderApiKeys();
    const opener = await screen.findByRole("button", { name: "Create API key" });
    await user.click(opener);
    const dialog = screen.getByRole("dialog", { name: "Create an API key" });
    await user.type(within(dialog).getByLabelText("Name"), "Billing service");
    for (const scope of [
      "Read agents (agents:read)",
      "Read runs (runs:read)",
      "Start runs (runs:write)",
    ]) {
      await user.click(within(dialog).getByLabelText(scope));
    }
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await within(dialog).findByText("Choose at least one scope.")).toBeInTheDocument();

    await user.click(within(dialog).getByLabelText("Read usage (usage:read)"));
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await within(dialog).findByText("This name is taken.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Name")).toHaveAccessibleDescription(
      /This name is taken./,
    );

    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    const shown = await screen.findByRole("dialog", { name: "Copy your new API key" });
    expect(shown).toHaveTextContent("you will not see it again");
    expect(within(shown).getByLabelText("Your new API key")).toHaveValue(SECRET);
    await user.click(within(shown).getByRole("button", { name: "Copy" }));
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(within(shown).getByText("Copied to the clipboard.")).toBeInTheDocument();

    const posts = requests.filter((request) => request.method === "POST");
    expect(posts.at(-1)?.body).toEqual({
      name: "Billing service",
      scopes: ["usage:read"],
      expires_at: null,
    });

    await user.click(within(shown).getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Create API key" })).toHaveFocus();
    expect(await screen.findByRole("table")).toHaveTextContent("Billing service");
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it("asks for a fresh second factor before creating an admin key", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${KEYS_PATH}`]: page([]),
      [`POST ${KEYS_PATH}`]: [
        problem(
          401,
          "mfa-step-up-required",
          "This action needs a fresh code from your authenticator app.",
        ),
        json({ ...apiKey({ name: "Deploy bot", scopes: ["admin"] }), key: SECRET }, 201),
      ],
      "POST /api/v1/auth/mfa/step-up": noContent(),
    });
    renderApiKeys();
    await user.click(await screen.findByRole("button", { name: "Create API key" }));
    const dialog = screen.getByRole("dialog", { name: "Create an API key" });
    await user.type(within(dialog).getByLabelText("Name"), "Deploy bot");
    await user.click(within(dialog).getByLabelText("Administer (admin)"));
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));

    expect(await within(dialog).findByText(/needs a fresh code/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Authentication code"), "123456");
    await user.click(within(dialog).getByRole("button", { name: "Verify and create key" }));
    expect(
      await screen.findByRole("dialog", { name: "Copy your new API key" }),
    ).toBeInTheDocument();
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${KEYS_PATH}`,
      `POST ${KEYS_PATH}`,
      "POST /api/v1/auth/mfa/step-up",
      `POST ${KEYS_PATH}`,
      `GET ${KEYS_PATH}`,
    ]);
    expect(requests[2]?.body).toEqual({ code: "123456" });
  });

  it("revokes a key after confirmation", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${KEYS_PATH}`]: [
        page([apiKey()]),
        page([apiKey({ revoked_at: "2026-11-25T10:00:00Z" })]),
      ],
      [`DELETE ${KEYS_PATH}/key_1`]: noContent(),
    });
    renderApiKeys();
    await user.click(await screen.findByRole("button", { name: "Revoke CI pipeline" }));
    const confirm = screen.getByRole("alertdialog", { name: "Revoke “CI pipeline”?" });
    await user.click(within(confirm).getByRole("button", { name: "Revoke key" }));
    expect(await screen.findByText(/“CI pipeline” is revoked/)).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByRole("table")).toHaveTextContent("Revoked");
    });
    expect(requests.some((request) => request.method === "DELETE")).toBe(true);
  });

  it("keeps the sort order in the address", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${KEYS_PATH}`]: page([
        apiKey({ id: "a", name: "Zeta" }),
        apiKey({ id: "b", name: "Alpha" }),
      ]),
    });
    const { router } = renderApiKeys();
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: /^Name/ }));
    expect(router.state.location.search).toBe("?sort=name");
    const rows = screen.getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Alpha");
    expect(screen.getByRole("columnheader", { name: /Name/ })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );
  });
});
