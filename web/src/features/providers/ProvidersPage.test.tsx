import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, noContent, problem } from "../../test/fake-api";
import { me, provider } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { ProvidersPage } from "./ProvidersPage";

const PROVIDERS = "/api/v1/workspaces/ws_1/providers";

type Provider = Schemas["ProviderOut"];

const anthropic = provider();
const ollama = provider({
  id: "prv_2",
  name: "Local Ollama",
  kind: "openai_compatible",
  base_url: "http://127.0.0.1:11434/v1",
  default_model: "llama3.2",
  is_default: false,
  api_key_set: false,
  api_key_hint: null,
});

function page(items: Provider[], next_cursor: string | null = null) {
  return json({ items, next_cursor });
}

function renderProviders(role = "owner", url = "/w/ws_1/providers") {
  const team = me.teams[0];
  if (!team) {
    throw new Error("the fixture has a team");
  }
  const current = { team: { ...team, role }, workspace: team.workspaces[0] } as CurrentWorkspace;
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "providers", element: <ProvidersPage /> }],
      },
    ],
    url,
  );
}

describe("ProvidersPage", () => {
  it("lists the providers with their key hints, never a key", async () => {
    const requests = fakeApi({ [`GET ${PROVIDERS}`]: page([anthropic, ollama]) });
    renderProviders();
    const table = await screen.findByRole("table", { name: "Model providers of this workspace" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("Anthropic");
    expect(rows[1]).toHaveTextContent("Default");
    expect(rows[1]).toHaveTextContent("•••• abcd");
    expect(rows[1]).toHaveTextContent("claude-sonnet-4-6");
    expect(rows[1]).toHaveTextContent("Public API");
    expect(rows[2]).toHaveTextContent("OpenAI-compatible server");
    expect(rows[2]).toHaveTextContent("http://127.0.0.1:11434/v1");
    expect(rows[2]).toHaveTextContent("no key");
    expect(rows[2]).not.toHaveTextContent("Default");
    expect(requests[0]?.query).toEqual({ sort: "name", limit: "25" });
    expect(document.title).toBe("Providers · Analytical Engine · Luna");
  });

  it("lets an admin add an OpenAI-compatible server", async () => {
    const user = userEvent.setup();
    const created = provider({
      ...ollama,
      id: "prv_3",
      name: "Workstation vLLM",
      base_url: "http://10.0.0.5:8000/v1",
      default_model: "qwen3-8b",
    });
    const requests = fakeApi({
      [`GET ${PROVIDERS}`]: [page([anthropic]), page([anthropic, created])],
      [`POST ${PROVIDERS}`]: json(created, 201),
    });
    renderProviders("admin");
    await user.click(await screen.findByRole("button", { name: "Add provider" }));
    const dialog = screen.getByRole("dialog", { name: "Add a model provider" });
    await user.selectOptions(within(dialog).getByLabelText("Kind"), "OpenAI-compatible server");
    expect(within(dialog).getByLabelText("Base URL")).toBeRequired();
    expect(within(dialog).getByLabelText("API key (optional)")).not.toBeRequired();
    expect(within(dialog).getByLabelText("Base URL")).toHaveAccessibleDescription(
      /http:\/\/127\.0\.0\.1:11434\/v1 for Ollama/,
    );
    expect(within(dialog).getByLabelText("API key (optional)")).toHaveAttribute("type", "password");
    await user.type(within(dialog).getByLabelText("Name"), "  Workstation vLLM ");
    await user.type(within(dialog).getByLabelText("Base URL"), "http://10.0.0.5:8000/v1");
    await user.type(within(dialog).getByLabelText("Default model (optional)"), "qwen3-8b");
    await user.click(within(dialog).getByLabelText("Make it the workspace's default provider"));
    await user.click(within(dialog).getByRole("button", { name: "Add provider" }));

    expect(await screen.findByText(/“Workstation vLLM” is added/)).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    const post = requests.find((request) => request.method === "POST");
    expect(post?.body).toEqual({
      kind: "openai_compatible",
      name: "Workstation vLLM",
      base_url: "http://10.0.0.5:8000/v1",
      api_key: null,
      default_model: "qwen3-8b",
      is_default: true,
    });
    expect(await screen.findByRole("row", { name: /Workstation vLLM/ })).toHaveTextContent(
      "http://10.0.0.5:8000/v1",
    );
  });

  it("shows the API's objections next to their fields", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${PROVIDERS}`]: page([]),
      [`POST ${PROVIDERS}`]: problem(422, "validation-failed", "The request is invalid.", {
        errors: [
          { in: "body", pointer: "#/base_url", message: "A base URL has no query or fragment." },
        ],
      }),
    });
    renderProviders("owner");
    await user.click(await screen.findByRole("button", { name: "Add a provider" }));
    const dialog = screen.getByRole("dialog", { name: "Add a model provider" });
    await user.selectOptions(within(dialog).getByLabelText("Kind"), "openai_compatible");
    await user.type(within(dialog).getByLabelText("Name"), "Ollama");
    await user.type(within(dialog).getByLabelText("Base URL"), "http://127.0.0.1:11434/v1?x=1");
    await user.click(within(dialog).getByRole("button", { name: "Add provider" }));

    const baseUrl = within(dialog).getByLabelText("Base URL");
    await waitFor(() => {
      expect(baseUrl).toHaveAccessibleDescription(/A base URL has no query or fragment\./);
    });
    expect(baseUrl).toBeInvalid();
    expect(within(dialog).getByRole("alert")).toHaveTextContent(
      "Please correct the highlighted fields.",
    );
    expect(within(dialog).getByLabelText("Name")).toBeValid();
    expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
  });

  it("asks Anthropic and OpenAI providers for a key", async () => {
    const user = userEvent.setup();
    fakeApi({ [`GET ${PROVIDERS}`]: page([]) });
    renderProviders();
    await user.click(await screen.findByRole("button", { name: "Add provider" }));
    const dialog = screen.getByRole("dialog", { name: "Add a model provider" });
    expect(within(dialog).getByLabelText("Kind")).toHaveValue("anthropic");
    expect(within(dialog).getByLabelText("API key")).toBeRequired();
    expect(within(dialog).getByLabelText("Base URL (optional)")).not.toBeRequired();
  });

  it("shows a member the list read-only, with Check but no changes", async () => {
    fakeApi({ [`GET ${PROVIDERS}`]: page([anthropic, ollama]) });
    renderProviders("member");
    const row = await screen.findByRole("row", { name: /Local Ollama/ });
    expect(screen.queryByRole("button", { name: /Add/ })).not.toBeInTheDocument();
    expect(within(row).getByRole("button", { name: "Check Local Ollama" })).toBeInTheDocument();
    expect(within(row).queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
    expect(within(row).queryByRole("button", { name: /Make default/ })).not.toBeInTheDocument();
    expect(
      screen.getByText(/Only the owners and admins of Ada's team can add, change or delete/),
    ).toHaveTextContent("your role is member");
  });

  it("shows a viewer no Check either", async () => {
    fakeApi({ [`GET ${PROVIDERS}`]: page([ollama]) });
    renderProviders("viewer");
    const row = await screen.findByRole("row", { name: /Local Ollama/ });
    expect(within(row).queryByRole("button")).not.toBeInTheDocument();
  });

  it("checks a provider and shows what it serves, or why it failed", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${PROVIDERS}`]: [
        page([anthropic, ollama]),
        page([
          anthropic,
          {
            ...ollama,
            last_checked_at: "2026-11-25T10:00:00Z",
            last_check_ok: true,
            last_check_latency_ms: 42.4,
          },
        ]),
      ],
      [`POST ${PROVIDERS}/prv_2/check`]: json({
        ok: true,
        latency_ms: 42.4,
        models: ["llama3.2", "qwen3"],
        error: null,
        checked_at: "2026-11-25T10:00:00Z",
      }),
      [`POST ${PROVIDERS}/prv_1/check`]: json({
        ok: false,
        latency_ms: 310,
        models: [],
        error: { code: "provider-auth", message: "The provider refused the API key.", status: 401 },
        checked_at: "2026-11-25T10:01:00Z",
      }),
    });
    renderProviders("member");
    await user.click(await screen.findByRole("button", { name: "Check Local Ollama" }));
    const passed = (await screen.findByText("“Local Ollama” answered in 42 ms")).closest(
      "[role=status]",
    );
    expect(passed).toHaveTextContent("It serves 2 models: llama3.2, qwen3.");
    await waitFor(() => {
      expect(screen.getByRole("row", { name: /Local Ollama/ })).toHaveTextContent("OK");
    });

    await user.click(screen.getByRole("button", { name: "Check Anthropic" }));
    const failed = await screen.findByRole("alert");
    expect(failed).toHaveTextContent("“Anthropic” failed its check after 310 ms");
    expect(failed).toHaveTextContent("The provider refused the API key. (HTTP 401)");
    expect(screen.queryByText(/answered in 42 ms/)).not.toBeInTheDocument();
  });

  it("makes a provider the default", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${PROVIDERS}`]: [
        page([anthropic, ollama]),
        page([
          { ...anthropic, is_default: false },
          { ...ollama, is_default: true },
        ]),
      ],
      [`PATCH ${PROVIDERS}/prv_2`]: json({ ...ollama, is_default: true }),
    });
    renderProviders("admin");
    await user.click(await screen.findByRole("button", { name: "Make default Local Ollama" }));
    expect(
      await screen.findByText("“Local Ollama” is now the workspace's default provider."),
    ).toBeInTheDocument();
    expect(requests.find((request) => request.method === "PATCH")?.body).toEqual({
      is_default: true,
    });
    await waitFor(() => {
      expect(screen.getByRole("row", { name: /Local Ollama/ })).toHaveTextContent("Default");
    });
    expect(
      within(screen.getByRole("row", { name: /Anthropic/ })).getByRole("button", {
        name: "Make default Anthropic",
      }),
    ).toBeInTheDocument();
  });

  it("deletes a provider after confirmation, and says why it cannot", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${PROVIDERS}`]: [page([anthropic, ollama]), page([anthropic])],
      [`DELETE ${PROVIDERS}/prv_1`]: problem(
        409,
        "conflict",
        "Agents use this provider: 'Code reviewer'. Change their model to another provider (or delete them) first.",
      ),
      [`DELETE ${PROVIDERS}/prv_2`]: noContent(),
    });
    renderProviders("owner");
    await user.click(await screen.findByRole("button", { name: "Delete Anthropic" }));
    let confirm = screen.getByRole("alertdialog", { name: "Delete “Anthropic”?" });
    expect(confirm).toHaveAccessibleDescription(/It is the default/);
    await user.click(within(confirm).getByRole("button", { name: "Delete provider" }));
    expect(await within(confirm).findByRole("alert")).toHaveTextContent(
      "Agents use this provider: 'Code reviewer'.",
    );
    await user.click(within(confirm).getByRole("button", { name: "Keep it" }));

    await user.click(screen.getByRole("button", { name: "Delete Local Ollama" }));
    confirm = screen.getByRole("alertdialog", { name: "Delete “Local Ollama”?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete provider" }));
    expect(await screen.findByText("“Local Ollama” is deleted.")).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.queryByRole("row", { name: /Local Ollama/ })).not.toBeInTheDocument();
    });
    expect(requests.filter((request) => request.method === "DELETE")).toHaveLength(2);
  });

  it("keeps the order and the page in the address", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${PROVIDERS}`]: (request) =>
        request.query.cursor ? page([ollama]) : page([anthropic], "c_2"),
    });
    const { router } = renderProviders("owner", "/w/ws_1/providers?sort=-created_at");
    await screen.findByRole("table");
    expect(requests[0]?.query).toEqual({ sort: "-created_at", limit: "25" });
    expect(screen.getByRole("columnheader", { name: /Created/ })).toHaveAttribute(
      "aria-sort",
      "descending",
    );
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("row", { name: /Local Ollama/ })).toBeInTheDocument();
    expect(router.state.location.search).toBe("?sort=-created_at&cursor=c_2");

    await user.click(screen.getByRole("button", { name: /^Name/ }));
    expect(router.state.location.search).toBe("");
    expect(requests.at(-1)?.query).toEqual({ sort: "name", limit: "25" });
  });
});
