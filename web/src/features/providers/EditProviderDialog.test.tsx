import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import { fakeApi, json, page } from "../../test/fake-api";
import { me, provider } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { ProvidersPage } from "./ProvidersPage";

const PROVIDERS = "/api/v1/workspaces/ws_1/providers";
const ollama = provider({
  id: "prv_2",
  name: "GPU box",
  kind: "openai_compatible",
  base_url: "http://10.0.0.5:8000/v1",
  default_model: "llama3.2",
  is_default: false,
  api_key_set: true,
  api_key_hint: "9876",
});

function outcome(ok: boolean, models: string[] = []) {
  return json({
    ok,
    latency_ms: 40,
    models,
    error: ok
      ? null
      : { code: "provider-auth", message: "The provider refused the API key.", status: 401 },
    checked_at: "2026-12-01T10:00:00Z",
  });
}

function renderProviders() {
  const team = me.teams[0];
  const current = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "providers", element: <ProvidersPage /> }],
      },
    ],
    "/w/ws_1/providers",
  );
}

async function openEdit() {
  const user = userEvent.setup();
  renderProviders();
  await user.click(await screen.findByRole("button", { name: "Edit GPU box" }));
  const dialog = await screen.findByRole("dialog", { name: "Edit “GPU box”" });
  return { user, dialog };
}

describe("editing a provider", () => {
  it("offers the models the provider serves, and saves only what changed", async () => {
    const requests = fakeApi({
      [`GET ${PROVIDERS}`]: page([ollama]),
      [`POST ${PROVIDERS}/prv_2/check-changes`]: outcome(true, ["llama3.2", "qwen3:8b"]),
      [`PATCH ${PROVIDERS}/prv_2`]: json({ ...ollama, default_model: "qwen3:8b" }),
    });
    const { user, dialog } = await openEdit();
    await waitFor(() => {
      expect(dialog.querySelectorAll("datalist option")).toHaveLength(2);
    });
    expect(within(dialog).getByText(/Pick one of the 2 models it serves/)).toBeInTheDocument();
    const model = within(dialog).getByLabelText("Default model");
    await user.clear(model);
    await user.type(model, "qwen3:8b");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    await screen.findByText("“GPU box” is saved.");
    const patch = requests.find((request) => request.method === "PATCH");
    // Neither the address nor the key changed: nothing to check again, only the model sent.
    expect(patch?.body).toEqual({ default_model: "qwen3:8b" });
    expect(requests.filter((request) => request.path.endsWith("check-changes"))).toHaveLength(1);
  });

  it("checks a new key before saving it, and saves only once it works or when told to", async () => {
    const requests = fakeApi({
      [`GET ${PROVIDERS}`]: page([ollama]),
      [`POST ${PROVIDERS}/prv_2/check-changes`]: [
        outcome(true, ["llama3.2"]), // the stored settings, on opening
        outcome(false), // the new key, refused
        outcome(true, ["llama3.2"]), // the corrected key
      ],
      [`PATCH ${PROVIDERS}/prv_2`]: json(ollama),
    });
    const { user, dialog } = await openEdit();
    const key = within(dialog).getByLabelText("New API key");
    expect(
      within(dialog).getByText("Leave blank to keep the stored key (…9876)."),
    ).toBeInTheDocument();
    await user.type(key, "a-mistyped-key");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    const failed = await within(dialog).findByRole("alert");
    expect(failed).toHaveTextContent("failed its check");
    expect(requests.some((request) => request.method === "PATCH")).toBe(false);
    expect(within(dialog).getByRole("button", { name: "Save anyway" })).toBeInTheDocument();

    await user.clear(key);
    await user.type(key, "the-right-key");
    await user.click(within(dialog).getByRole("button", { name: "Save anyway" }));
    await screen.findByText("“GPU box” is saved.");
    const checks = requests.filter((request) => request.path.endsWith("check-changes"));
    expect(checks.map((request) => request.body)).toEqual([
      {},
      { api_key: "a-mistyped-key" },
      { api_key: "the-right-key" },
    ]);
    const patch = requests.find((request) => request.method === "PATCH");
    expect(patch?.body).toEqual({ api_key: "the-right-key" });
  });
});
