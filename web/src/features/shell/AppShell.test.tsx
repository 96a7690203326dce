import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeApi, json } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import { useMe } from "../session/use-me";
import { AppShell } from "./AppShell";

/** The shell once the account has loaded, as the session guard renders it. */
function SignedInShell() {
  const account = useMe();
  return account.data ? <AppShell /> : null;
}

function renderShell(url = "/w/ws_1/runs") {
  fakeApi({ "GET /api/v1/me": json(me) });
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <SignedInShell />,
        children: [
          { path: "runs", element: <h1>Runs page</h1> },
          { path: "agents", element: <h1>Agents page</h1> },
        ],
      },
    ],
    url,
  );
}

describe("AppShell", () => {
  it("groups the workspace's pages into sections that fold, each link with its icon", async () => {
    const user = userEvent.setup();
    renderShell();
    const pages = await screen.findByRole("navigation", { name: "Workspace pages" });
    for (const section of ["Build", "Observe", "Admin"]) {
      expect(within(pages).getByRole("button", { name: section })).toHaveAttribute(
        "aria-expanded",
        "true",
      );
    }
    const runs = within(pages).getByRole("link", { name: "Runs" });
    expect(runs).toHaveAttribute("aria-current", "page");
    expect(runs.querySelector("svg")).toHaveAttribute("aria-hidden", "true");

    await user.click(within(pages).getByRole("button", { name: "Admin" }));
    expect(within(pages).getByRole("button", { name: "Admin" })).toHaveAttribute(
      "aria-expanded",
      "false",
    );
    expect(within(pages).queryByRole("link", { name: "Billing" })).not.toBeInTheDocument();
    // Folded sections stay folded from page to page.
    await user.click(within(pages).getByRole("link", { name: "Agents" }));
    expect(screen.getByRole("heading", { name: "Agents page" })).toBeInTheDocument();
    expect(within(pages).queryByRole("link", { name: "Billing" })).not.toBeInTheDocument();
    await user.click(within(pages).getByRole("button", { name: "Admin" }));
    expect(within(pages).getByRole("link", { name: "Billing" })).toBeInTheDocument();
  });

  it("puts the navigation behind a menu button that closes once a page is chosen", async () => {
    const user = userEvent.setup();
    renderShell();
    const menu = await screen.findByRole("button", { name: "Menu" });
    expect(menu).toHaveAttribute("aria-expanded", "false");
    const panel = document.getElementById(menu.getAttribute("aria-controls") ?? "");
    expect(panel).toHaveClass("hidden", "lg:flex");

    await user.click(menu);
    expect(menu).toHaveAttribute("aria-expanded", "true");
    expect(panel).not.toHaveClass("hidden");
    await user.click(screen.getByRole("link", { name: "Agents" }));
    expect(screen.getByRole("heading", { name: "Agents page" })).toBeInTheDocument();
    expect(menu).toHaveAttribute("aria-expanded", "false");
    expect(panel).toHaveClass("hidden");
  });
});
