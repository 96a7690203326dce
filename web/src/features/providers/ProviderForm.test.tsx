import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, problem } from "../../test/fake-api";
import { renderPage } from "../../test/render";
import { ProviderForm } from "./ProviderForm";

const PROVIDERS = "/api/v1/workspaces/ws_9/providers";

const created: Schemas["ProviderOut"] = {
  id: "prv_7",
  name: "OpenAI",
  kind: "openai",
  base_url: null,
  default_model: "gpt-4.1-mini",
  is_default: true,
  options: {},
  api_key_set: true,
  api_key_hint: "wxyz",
  last_checked_at: null,
  last_check_ok: null,
  last_check_latency_ms: null,
  last_check_error: null,
  created_at: "2026-11-20T10:00:00Z",
  updated_at: "2026-11-20T10:00:00Z",
};

describe("ProviderForm", () => {
  it("adds a provider to the workspace it is given and hands it back", async () => {
    const user = userEvent.setup();
    const onCreated = vi.fn();
    const requests = fakeApi({
      [`POST ${PROVIDERS}`]: [
        problem(409, "conflict", "A provider named 'OpenAI' already exists in this workspace.", {
          errors: [{ in: "body", pointer: "#/name", message: "This name is taken." }],
        }),
        json(created, 201),
      ],
    });
    renderPage(
      <ProviderForm
        workspaceId="ws_9"
        initialKind="openai"
        submitLabel="Connect"
        onCreated={onCreated}
      />,
    );
    expect(screen.queryByRole("button", { name: "Cancel" })).not.toBeInTheDocument();
    await user.type(screen.getByLabelText("Name"), "OpenAI");
    await user.type(screen.getByLabelText("API key"), " sk-test-0123456789wxyz ");
    await user.click(screen.getByRole("button", { name: "Connect" }));

    expect(await screen.findByText("This name is taken.")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription(/This name is taken\./);
    expect(onCreated).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Connect" }));
    await vi.waitFor(() => {
      expect(onCreated).toHaveBeenCalledWith(created);
    });
    expect(requests.at(-1)?.body).toEqual({
      kind: "openai",
      name: "OpenAI",
      base_url: null,
      api_key: "sk-test-0123456789wxyz",
      default_model: null,
      is_default: false,
    });
  });
});
