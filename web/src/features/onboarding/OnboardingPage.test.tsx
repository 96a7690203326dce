import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, problem, page } from "../../test/fake-api";
import { agent, catalogAgent, me, provider, run } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { OnboardingCallout } from "./OnboardingCallout";
import { OnboardingPage } from "./OnboardingPage";

const ONBOARDING = "/api/v1/workspaces/ws_1/onboarding";
const team = me.teams[0];
const owner = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;

function progress(overrides: Partial<Schemas["OnboardingOut"]> = {}): Schemas["OnboardingOut"] {
  const done = {
    agent: false,
    provider: false,
    run: false,
    ...overrides.steps?.reduce((all, step) => ({ ...all, [step.key]: step.done }), {}),
  };
  return {
    current_step: "agent",
    agent_id: null,
    provider_id: null,
    run_id: null,
    dismissed: false,
    started_at: null,
    completed_at: null,
    ...overrides,
    steps: (["agent", "provider", "run"] as const).map((key) => ({ key, done: done[key] })),
  };
}

function renderOnboarding(current: CurrentWorkspace = owner, url = "/w/ws_1/onboarding") {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [
          { index: true, element: <h1>Workspace home</h1> },
          { path: "onboarding", element: <OnboardingPage /> },
        ],
      },
    ],
    url,
  );
}

describe("OnboardingPage", () => {
  it("turns a catalog agent into the workspace's first agent and moves on", async () => {
    const requests = fakeApi({
      [`GET ${ONBOARDING}`]: json(progress()),
      "GET /api/v1/catalog/agents": page([catalogAgent()]),
      "POST /api/v1/workspaces/ws_1/agents": json(agent({ id: "agt_9" }), 201),
      [`PATCH ${ONBOARDING}`]: json(
        progress({
          current_step: "provider",
          agent_id: "agt_9",
          steps: [{ key: "agent", done: true }],
        }),
      ),
      "GET /api/v1/workspaces/ws_1/providers": json({ items: [], next_cursor: null }),
    });
    renderOnboarding();

    expect(await screen.findByRole("heading", { name: "Choose an agent" })).toBeInTheDocument();
    await userEvent.click(
      await screen.findByRole("button", { name: "Use this agent: Release notes writer" }),
    );

    expect(await screen.findByRole("heading", { name: "Connect a model" })).toBeInTheDocument();
    const created = requests.find((request) => request.method === "POST");
    expect(created?.body).toEqual({ template: "release-notes" });
    const recorded = requests.find((request) => request.method === "PATCH");
    expect(recorded?.body).toEqual({ agent_id: "agt_9" });
    const steps = screen.getByRole("list", { name: "Setup steps" });
    expect(steps.querySelector('[aria-current="step"]')).toHaveTextContent("Connect a model");
  });

  it("resumes at the first run and shows the agent's answer once it has finished", async () => {
    const picked = progress({
      current_step: "run",
      agent_id: "agt_1",
      provider_id: "prv_1",
      steps: [
        { key: "agent", done: true },
        { key: "provider", done: true },
      ],
    });
    const finished = progress({
      ...picked,
      current_step: null,
      run_id: "run_7",
      completed_at: "2026-11-29T09:04:00Z",
      steps: [
        { key: "agent", done: true },
        { key: "provider", done: true },
        { key: "run", done: true },
      ],
    });
    const requests = fakeApi({
      [`GET ${ONBOARDING}`]: json(picked),
      "GET /api/v1/workspaces/ws_1/agents/agt_1": json(agent()),
      "POST /api/v1/workspaces/ws_1/agents/agt_1/runs": json(
        run({ id: "run_7", status: "queued" }),
        201,
      ),
      [`PATCH ${ONBOARDING}`]: json(finished),
      "GET /api/v1/workspaces/ws_1/runs/run_7": json(
        run({ id: "run_7", output: { text: "Divide by zero on an empty list." } }),
      ),
    });
    renderOnboarding();

    const input = await screen.findByLabelText("What should Code reviewer do?");
    await userEvent.clear(input);
    await userEvent.type(input, "Check my average function");
    await userEvent.click(screen.getByRole("button", { name: "Run Code reviewer" }));

    expect(await screen.findByRole("heading", { name: "You're set up" })).toBeInTheDocument();
    expect(await screen.findByTestId("first-run-answer")).toHaveTextContent(
      "Divide by zero on an empty list.",
    );
    const started = requests.find((request) => request.method === "POST");
    expect(started?.body).toEqual({ input: "Check my average function", mode: "background" });
    expect(requests.find((request) => request.method === "PATCH")?.body).toEqual({
      run_id: "run_7",
    });
    expect(screen.getByRole("link", { name: /reasoning step by step/ })).toHaveAttribute(
      "href",
      "/w/ws_1/runs/run_7",
    );
  });

  it("checks a new provider before the step counts, and says why it failed", async () => {
    const user = userEvent.setup();
    const atProvider = progress({
      current_step: "provider",
      agent_id: "agt_1",
      steps: [{ key: "agent", done: true }],
    });
    const created = provider({ id: "prv_9", name: "Home GPU", kind: "openai_compatible" });
    const requests = fakeApi({
      [`GET ${ONBOARDING}`]: json(atProvider),
      "GET /api/v1/workspaces/ws_1/providers": page([]),
      "POST /api/v1/workspaces/ws_1/providers": json(created, 201),
      "POST /api/v1/workspaces/ws_1/providers/prv_9/check": [
        json({
          ok: false,
          checked_at: "2026-12-07T09:00:00Z",
          latency_ms: 3,
          models: [],
          error: { code: "provider-unreachable", message: "Nothing answers there", status: null },
        }),
        json({
          ok: true,
          checked_at: "2026-12-07T09:01:00Z",
          latency_ms: 40,
          models: ["m"],
          error: null,
        }),
      ],
      [`PATCH ${ONBOARDING}`]: json(atProvider),
    });
    renderOnboarding();
    await user.selectOptions(await screen.findByLabelText("Kind"), "openai_compatible");
    await user.type(screen.getByLabelText("Name"), "Home GPU");
    await user.type(screen.getByLabelText("Base URL"), "http://10.0.0.5:8000/v1");
    await user.click(screen.getByRole("button", { name: "Add provider" }));

    expect(await screen.findByText("Home GPU did not answer as expected")).toBeInTheDocument();
    expect(screen.getByText(/Nothing answers there/)).toBeInTheDocument();
    expect(requests.filter((request) => request.method === "PATCH")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Check again" }));
    await waitFor(() => {
      expect(requests.filter((request) => request.method === "PATCH")).toHaveLength(1);
    });
    expect(requests.find((request) => request.method === "PATCH")?.body).toEqual({
      provider_id: "prv_9",
    });
  });

  it("says a failed first run failed, with the way to fix it, not that setup is done", async () => {
    fakeApi({
      [`GET ${ONBOARDING}`]: json(
        progress({
          current_step: null,
          agent_id: "agt_1",
          provider_id: "prv_1",
          run_id: "run_7",
          completed_at: "2026-11-29T09:04:00Z",
          steps: [
            { key: "agent", done: true },
            { key: "provider", done: true },
            { key: "run", done: true },
          ],
        }),
      ),
      "GET /api/v1/workspaces/ws_1/runs/run_7": json(
        run({
          id: "run_7",
          status: "failed",
          output: null,
          error: { code: "provider-auth-failed", message: "The API key was refused.", status: 401 },
        }),
      ),
    });
    renderOnboarding();

    expect(
      await screen.findByRole("heading", { name: "Your first run failed" }),
    ).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "You're set up" })).not.toBeInTheDocument();
    const steps = screen.getByRole("list", { name: "Setup steps" });
    expect(steps).toHaveTextContent("Failed");
    expect(screen.getByRole("button", { name: "Run it again" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Open Providers" })).toHaveAttribute(
      "href",
      "/w/ws_1/providers",
    );
  });

  it("shows a refused run inline and records nothing", async () => {
    const requests = fakeApi({
      [`GET ${ONBOARDING}`]: json(
        progress({ current_step: "run", agent_id: "agt_1", steps: [{ key: "agent", done: true }] }),
      ),
      "GET /api/v1/workspaces/ws_1/agents/agt_1": json(agent()),
      "POST /api/v1/workspaces/ws_1/agents/agt_1/runs": problem(
        402,
        "entitlement-exceeded:runs-per-day",
        "Your plan allows 100 runs a day.",
      ),
    });
    renderOnboarding();

    await userEvent.click(await screen.findByRole("button", { name: "Run Code reviewer" }));

    expect(await screen.findByText("Your plan allows 100 runs a day.")).toBeInTheDocument();
    expect(requests.some((request) => request.method === "PATCH")).toBe(false);
  });

  it("skips the setup and goes home", async () => {
    const requests = fakeApi({
      [`GET ${ONBOARDING}`]: json(progress()),
      "GET /api/v1/catalog/agents": page([catalogAgent()]),
      [`PATCH ${ONBOARDING}`]: json(progress({ dismissed: true })),
    });
    renderOnboarding();

    await userEvent.click(await screen.findByRole("button", { name: "Skip setup" }));

    expect(await screen.findByRole("heading", { name: "Workspace home" })).toBeInTheDocument();
    expect(requests.find((request) => request.method === "PATCH")?.body).toEqual({
      dismissed: true,
    });
  });

  it("tells a viewer that they cannot create agents", async () => {
    fakeApi({
      [`GET ${ONBOARDING}`]: json(progress()),
      "GET /api/v1/catalog/agents": page([catalogAgent()]),
    });
    const viewer = { ...owner, team: { ...team, role: "viewer" } } as CurrentWorkspace;
    renderOnboarding(viewer);

    expect(await screen.findByText("Your role cannot create agents")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Use / })).not.toBeInTheDocument();
  });

  it("says when the progress cannot be loaded", async () => {
    fakeApi({ [`GET ${ONBOARDING}`]: problem(500, "internal-error", "Database unavailable.") });
    renderOnboarding();

    expect(await screen.findByText("Your setup could not be loaded")).toBeInTheDocument();
  });
});

describe("OnboardingCallout", () => {
  function renderCallout(demo = false) {
    return renderRoutes(
      [{ path: "/", element: <OnboardingCallout workspaceId="ws_1" role="owner" demo={demo} /> }],
      "/",
    );
  }

  it("asks nothing of a demo workspace, which is set up already", async () => {
    const requests = fakeApi({ [`GET ${ONBOARDING}`]: json(progress({ current_step: "agent" })) });
    renderCallout(true);

    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requests).toHaveLength(0);
    expect(screen.queryByText("Finish setting up")).not.toBeInTheDocument();
  });

  it("invites to continue an unfinished setup", async () => {
    fakeApi({
      [`GET ${ONBOARDING}`]: json(
        progress({ current_step: "provider", steps: [{ key: "agent", done: true }] }),
      ),
    });
    renderCallout();

    expect(await screen.findByText(/1 of 3 steps done; next: connect a model/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Continue setup" })).toHaveAttribute(
      "href",
      "/w/ws_1/onboarding",
    );
  });

  it("stays away once the setup was skipped", async () => {
    const requests = fakeApi({ [`GET ${ONBOARDING}`]: json(progress({ dismissed: true })) });
    renderCallout();

    await waitFor(() => {
      expect(requests).toHaveLength(1);
    });
    expect(screen.queryByText("Finish setting up")).not.toBeInTheDocument();
  });
});
