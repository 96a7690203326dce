import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeApi, json, noContent, problem, page } from "../../test/fake-api";
import { renderPage } from "../../test/render";
import type { CreatedRunShare, RunShare } from "./hooks";
import { ShareRunControls } from "./ShareRunControls";

const SHARES = "/api/v1/workspaces/ws_1/runs/run_1/shares";
const TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2Fs";

function share(overrides: Partial<RunShare> = {}): RunShare {
  return {
    id: "shr_1",
    run_id: "run_1",
    created_by_user_id: "usr_1",
    created_at: "2026-11-28T10:00:00Z",
    expires_at: null,
    revoked_at: null,
    last_viewed_at: null,
    view_count: 0,
    active: true,
    ...overrides,
  };
}

function created(overrides: Partial<RunShare> = {}): CreatedRunShare {
  return {
    ...share(overrides),
    token: TOKEN,
    url: `http://localhost:8000/app/share/${TOKEN}`,
  };
}

function renderControls(options: { finished?: boolean; canWrite?: boolean } = {}) {
  return renderPage(
    <ShareRunControls
      workspaceId="ws_1"
      runId="run_1"
      finished={options.finished ?? true}
      canWrite={options.canWrite ?? true}
    />,
    { url: "/?step=3&at=5" },
  );
}

describe("ShareRunControls", () => {
  it("copies the page's address, with its replay state, for members", async () => {
    const user = userEvent.setup();
    fakeApi({});
    renderControls();
    await user.click(screen.getByRole("button", { name: "Copy link for members" }));
    expect(await navigator.clipboard.readText()).toBe(globalThis.location.href);
    expect(screen.getByRole("status")).toHaveTextContent("Link copied to the clipboard.");
  });

  it("makes one link for a double click on Create public link", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${SHARES}`]: [page([]), page([share()])],
      [`POST ${SHARES}`]: json(created(), 201),
    });
    renderControls();
    await user.click(screen.getByRole("button", { name: "Share" }));
    const dialog = screen.getByRole("dialog", { name: "Share this run" });
    const create = await within(dialog).findByRole("button", { name: "Create public link" });

    fireEvent.click(create);
    fireEvent.click(create);

    expect(await within(dialog).findByLabelText("Public link")).toHaveValue(created().url);
    expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
  });

  it("creates a public link with an expiry and shows its address once", async () => {
    const user = userEvent.setup();
    const made = created({ id: "shr_2", expires_at: "2026-12-05T10:00:00Z" });
    const requests = fakeApi({
      [`GET ${SHARES}`]: [page([]), page([share({ id: "shr_2", expires_at: made.expires_at })])],
      [`POST ${SHARES}`]: json(made, 201),
    });
    renderControls();
    // Nothing is fetched before the dialog opens.
    expect(requests).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Share" }));
    const dialog = screen.getByRole("dialog", { name: "Share this run" });
    expect(await within(dialog).findByText("This run has no public links.")).toBeInTheDocument();

    await user.selectOptions(within(dialog).getByLabelText("The link works for"), "7 days");
    await user.click(within(dialog).getByRole("button", { name: "Create public link" }));

    const link = await within(dialog).findByLabelText("Public link");
    expect(link).toHaveValue(made.url);
    expect(within(dialog).getByText(/you will not see it again/)).toBeInTheDocument();
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({
      expires_in_days: 7,
    });
    await user.click(within(dialog).getByRole("button", { name: "Copy" }));
    expect(await navigator.clipboard.readText()).toBe(made.url);
    await waitFor(() => {
      expect(within(dialog).getByTestId("run-shares")).toHaveTextContent("Active");
    });

    // Closed and opened again, the address is not shown any more.
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    await user.click(screen.getByRole("button", { name: "Share" }));
    const reopened = screen.getByRole("dialog", { name: "Share this run" });
    expect(within(reopened).queryByLabelText("Public link")).not.toBeInTheDocument();
    expect(within(reopened).queryByText(TOKEN, { exact: false })).not.toBeInTheDocument();
  });

  it("lists the links with their state and revokes an active one", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${SHARES}`]: [
        page([
          share({ view_count: 3 }),
          share({ id: "shr_0", active: false, revoked_at: "2026-11-27T10:00:00Z" }),
        ]),
        page([
          share({ active: false, revoked_at: "2026-11-28T11:00:00Z", view_count: 3 }),
          share({ id: "shr_0", active: false, revoked_at: "2026-11-27T10:00:00Z" }),
        ]),
      ],
      [`DELETE ${SHARES}/shr_1`]: noContent(),
    });
    renderControls();
    await user.click(screen.getByRole("button", { name: "Share" }));
    const list = await screen.findByTestId("run-shares");
    const items = within(list).getAllByRole("listitem");
    expect(items.map((item) => item.dataset.status)).toEqual(["active", "revoked"]);
    expect(items[0]).toHaveTextContent("3 views");
    expect(items[0]).toHaveTextContent("No expiry");
    expect(within(items[1] ?? list).queryByRole("button")).not.toBeInTheDocument();

    await user.click(within(items[0] ?? list).getByRole("button", { name: /Revoke the link/ }));
    await waitFor(() => {
      expect(within(list).getAllByRole("listitem")[0]).toHaveAttribute("data-status", "revoked");
    });
    expect(requests.some((request) => request.method === "DELETE")).toBe(true);
  });

  it("says why a link cannot be created: a failure, a viewer, a run still going", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${SHARES}`]: page([share()]),
      [`POST ${SHARES}`]: problem(409, "conflict", "Only a finished run can be shared."),
    });
    const { unmount } = renderControls();
    await user.click(screen.getByRole("button", { name: "Share" }));
    await user.click(screen.getByRole("button", { name: "Create public link" }));
    expect(await screen.findByText("Only a finished run can be shared.")).toBeInTheDocument();
    unmount();

    const viewer = renderControls({ canWrite: false });
    await user.click(screen.getByRole("button", { name: "Share" }));
    expect(await screen.findByTestId("run-shares")).toHaveTextContent("Active");
    expect(screen.queryByRole("button", { name: "Create public link" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();
    expect(screen.getByText(/Viewers can see/)).toBeInTheDocument();
    viewer.unmount();

    renderControls({ finished: false });
    await user.click(screen.getByRole("button", { name: "Share" }));
    expect(screen.getByText(/once it has finished/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Create public link" })).not.toBeInTheDocument();
  });
});
