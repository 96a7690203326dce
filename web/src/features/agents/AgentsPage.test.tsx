import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import { fakeApi, json, problem, type RecordedRequest } from "../../test/fake-api";
import { agent, catalogAgent, me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { AgentsPage } from "./AgentsPage";

const AGENTS = "/api/v1/workspaces/ws_1/agents";
const CATALOG = "/api/v1/catalog/agents";
const team = me.teams[0];
const current = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;

function renderAgents(url = "/w/ws_1/agents") {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [
          { path: "agents", element: <AgentsPage /> },
          { path: "billing", element: <h1>Billing</h1> },
        ],
      },
    ],
    url,
  );
}

function page(items = [agent()], nextCursor: string | null = null) {
  return json({ items, next_cursor: nextCursor });
}

function lists(requests: RecordedRequest[]) {
  return requests.filter((request) => request.method === "GET" && request.path === AGENTS);
}

async function table() {
  return screen.findByRole("table", { name: "Agents of this workspace" });
}

describe("AgentsPage", () => {
  it("lists the workspace's agents with status, tags, version and update time", async () => {
    const requests = fakeApi({
      [`GET ${AGENTS}`]: page([
        agent(),
        agent({
          id: "agt_2",
          name: "Old summariser",
          status: "archived",
          tags: [],
          current_version: 1,
          template_slug: "summariser",
        }),
      ]),
    });
    renderAgents();
    const agentsTable = await table();
    const rows = within(agentsTable).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent(/Name.*Status.*Tags.*Version.*Updated/);
    expect(rows[1]).toHaveTextContent("Code reviewer");
    expect(within(agentsTable).getByRole("link", { name: "Code reviewer" })).toHaveAttribute(
      "href",
      "/w/ws_1/agents/agt_1",
    );
    expect(rows[1]).toHaveTextContent("Active");
    expect(rows[1]).toHaveTextContent("review");
    expect(rows[1]).toHaveTextContent("v3");
    expect(rows[1]?.querySelector("time")).toHaveAttribute("dateTime", "2026-11-20T09:00:00Z");
    expect(rows[2]).toHaveTextContent("Old summariser");
    expect(rows[2]).toHaveTextContent("From summariser");
    expect(rows[2]).toHaveTextContent("Archived");
    expect(lists(requests)[0]?.query).toEqual({ status: "active", limit: "25" });
  });

  it("searches as typing pauses, with the search in the request and the address", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${AGENTS}`]: (request) =>
        request.query.q === "review"
          ? page([agent()])
          : page([agent(), agent({ id: "agt_2", name: "Planner" })]),
    });
    const { router } = renderAgents();
    await table();
    await user.type(screen.getByLabelText("Search agents"), "review");
    await waitFor(() => {
      expect(router.state.location.search).toBe("?q=review");
    });
    await waitFor(() => {
      expect(within(screen.getByRole("table")).getAllByRole("row")).toHaveLength(2);
    });
    // One request for the search, not one per key.
    expect(lists(requests).map((request) => request.query.q)).toEqual([undefined, "review"]);
    expect(screen.getByLabelText("Search agents")).toHaveFocus();
  });

  it("filters by status, in the request and the address", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({ [`GET ${AGENTS}`]: page() });
    const { router } = renderAgents();
    await table();
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Archived");
    expect(router.state.location.search).toBe("?status=archived");
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query.status).toBe("archived");
    });
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "All");
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query.status).toBe("all");
    });
  });

  it("sorts on the server when a sortable header is clicked", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({ [`GET ${AGENTS}`]: page() });
    const { router } = renderAgents();
    const agentsTable = await table();
    expect(within(agentsTable).queryByRole("button", { name: /Tags/ })).not.toBeInTheDocument();

    await user.click(within(agentsTable).getByRole("button", { name: /Name/ }));
    expect(router.state.location.search).toBe("?sort=name");
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query.sort).toBe("name");
    });
    expect(screen.getByRole("columnheader", { name: /Name/ })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );

    await user.click(screen.getByRole("button", { name: /Updated/ }));
    expect(router.state.location.search).toBe("?sort=-updated_at");
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query.sort).toBe("-updated_at");
    });
    expect(screen.getByRole("columnheader", { name: /Updated/ })).toHaveAttribute(
      "aria-sort",
      "descending",
    );
  });

  it("keeps the search, filter, order and page from the address", async () => {
    const requests = fakeApi({ [`GET ${AGENTS}`]: page() });
    renderAgents("/w/ws_1/agents?q=bot&status=all&sort=-name&cursor=c1&cursor=c2&hide=tags");
    await table();
    expect(lists(requests)[0]?.query).toEqual({
      q: "bot",
      status: "all",
      sort: "-name",
      cursor: "c2",
      limit: "25",
    });
    expect(screen.getByLabelText("Search agents")).toHaveValue("bot");
    expect(screen.getByRole("combobox", { name: "Status" })).toHaveValue("all");
    expect(screen.getByText("Page 3")).toBeInTheDocument();
    expect(screen.queryByRole("columnheader", { name: "Tags" })).not.toBeInTheDocument();
  });

  it("turns pages with the next cursor, and back", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${AGENTS}`]: (request) =>
        request.query.cursor === "c1"
          ? page([agent({ id: "agt_2", name: "Planner" })], "c2")
          : request.query.cursor === "c2"
            ? page([agent({ id: "agt_3", name: "Researcher" })])
            : page([agent()], "c1"),
    });
    const { router } = renderAgents("/w/ws_1/agents?sort=name");
    await table();
    const pages = screen.getByRole("navigation", { name: "Pages of agents" });
    expect(within(pages).getByRole("button", { name: "Previous" })).toBeDisabled();

    await user.click(within(pages).getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Planner")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?sort=name&cursor=c1");
    expect(lists(requests).at(-1)?.query).toMatchObject({ cursor: "c1", sort: "name" });

    await user.click(within(pages).getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Researcher")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?sort=name&cursor=c1&cursor=c2");
    expect(within(pages).getByRole("button", { name: "Next" })).toBeDisabled();
    expect(within(pages).getByText("Page 3")).toBeInTheDocument();

    await user.click(within(pages).getByRole("button", { name: "Previous" }));
    expect(await screen.findByText("Planner")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?sort=name&cursor=c1");

    // A new order starts again at the first page.
    await user.click(screen.getByRole("button", { name: /Name/ }));
    expect(router.state.location.search).toBe("?sort=-name");
    expect(await screen.findByText("Code reviewer")).toBeInTheDocument();
  });

  it("hides and shows columns, keeping the choice in the address", async () => {
    const user = userEvent.setup();
    fakeApi({ [`GET ${AGENTS}`]: page() });
    const { router } = renderAgents();
    await table();
    expect(screen.getByRole("columnheader", { name: "Tags" })).toBeInTheDocument();
    await user.click(screen.getByText("Columns"));
    await user.click(screen.getByRole("checkbox", { name: "Tags" }));
    expect(screen.queryByRole("columnheader", { name: "Tags" })).not.toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Tags" })).not.toBeInTheDocument();
    expect(router.state.location.search).toBe("?hide=tags");
    await user.click(screen.getByRole("checkbox", { name: "Version" }));
    expect(router.state.location.search).toBe("?hide=tags%2Ccurrent_version");
    await user.click(screen.getByRole("checkbox", { name: "Tags" }));
    expect(screen.getByRole("columnheader", { name: "Tags" })).toBeInTheDocument();
    expect(router.state.location.search).toBe("?hide=current_version");
  });

  it("shows an empty state that offers the catalog, and one for a search with no match", async () => {
    fakeApi({ [`GET ${AGENTS}`]: page([]) });
    renderAgents();
    expect(await screen.findByRole("heading", { name: "No agents yet" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Create one from the catalog" })).toBeInTheDocument();
  });

  it("says when nothing matches a search", async () => {
    fakeApi({ [`GET ${AGENTS}`]: page([]) });
    renderAgents("/w/ws_1/agents?q=zzz");
    expect(await screen.findByRole("heading", { name: "No agents match" })).toBeInTheDocument();
  });

  it("shows an error state with the request id and a retry", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${AGENTS}`]: [
        problem(503, "service-unavailable", "The database is unavailable."),
        page(),
      ],
    });
    renderAgents();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The database is unavailable.");
    expect(alert).toHaveTextContent("req_test");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await table()).toHaveTextContent("Code reviewer");
  });
});

describe("New agent from the catalog", () => {
  const catalog = [
    catalogAgent(),
    catalogAgent({
      slug: "security-auditor",
      name: "Security auditor",
      category: "quality",
      summary: "Audits dependencies and code for known weaknesses.",
      plan: "growth",
    }),
  ];

  it("searches and filters the catalog, and marks agents that need a larger plan", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${AGENTS}`]: page(),
      [`GET ${CATALOG}`]: (request) =>
        json({
          items: catalog.filter(
            (item) =>
              (!request.query.category || item.category === request.query.category) &&
              (!request.query.q || item.name.toLowerCase().includes(request.query.q)),
          ),
          next_cursor: null,
        }),
    });
    renderAgents();
    await user.click(await screen.findByRole("button", { name: "New agent from the catalog" }));
    const dialog = screen.getByRole("dialog", { name: "New agent from the catalog" });
    const auditor = await within(dialog).findByRole("radio", { name: "Security auditor" });
    expect(auditor).toHaveAccessibleDescription(/Needs the Growth plan/);
    expect(
      within(dialog).getByRole("radio", { name: "Release notes writer" }),
    ).not.toHaveAccessibleDescription(/Needs/);

    await user.selectOptions(within(dialog).getByLabelText("Category"), "Quality");
    await waitFor(() => {
      expect(
        within(dialog).queryByRole("radio", { name: "Release notes writer" }),
      ).not.toBeInTheDocument();
    });
    await user.selectOptions(within(dialog).getByLabelText("Category"), "All categories");
    await user.type(within(dialog).getByLabelText("Search the catalog"), "release");
    await waitFor(() => {
      expect(
        within(dialog).queryByRole("radio", { name: "Security auditor" }),
      ).not.toBeInTheDocument();
    });
    const catalogQueries = requests
      .filter((request) => request.path === CATALOG)
      .map((request) => request.query);
    expect(catalogQueries).toEqual([{}, { category: "quality" }, { q: "release" }]);

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "New agent from the catalog" })).toHaveFocus();
  });

  it("creates the chosen agent, then shows it in the table", async () => {
    const user = userEvent.setup();
    const created = agent({
      id: "agt_9",
      name: "Release notes",
      template_slug: "release-notes",
      current_version: 1,
      updated_at: "2026-11-21T09:00:00Z",
    });
    const requests = fakeApi({
      [`GET ${AGENTS}`]: [page([]), page([created, agent()])],
      [`GET ${CATALOG}`]: json({ items: catalog, next_cursor: null }),
      [`POST ${AGENTS}`]: json({ ...created, definition: {} }, 201),
    });
    const { router } = renderAgents();
    await user.click(await screen.findByRole("button", { name: "Create one from the catalog" }));
    const dialog = screen.getByRole("dialog", { name: "New agent from the catalog" });
    await user.click(within(dialog).getByRole("button", { name: "Create agent" }));
    expect(within(dialog).getByText("Choose an agent from the catalog.")).toBeInTheDocument();

    await user.click(await within(dialog).findByRole("radio", { name: "Release notes writer" }));
    await user.type(within(dialog).getByLabelText("Name (optional)"), "Release notes");
    await user.click(within(dialog).getByRole("button", { name: "Create agent" }));

    expect(await screen.findByText("“Release notes” is created.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    const posts = requests.filter((request) => request.method === "POST");
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({ template: "release-notes", name: "Release notes" });
    const rows = within(await table()).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Release notes");
    expect(router.state.location.search).toBe("?sort=-updated_at");
    // The new order's request follows the render that put it in the address.
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query.sort).toBe("-updated_at");
    });
  });

  it("sends only the template when no name is given, and shows a name conflict by the name", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${AGENTS}`]: page(),
      [`GET ${CATALOG}`]: json({ items: catalog, next_cursor: null }),
      [`POST ${AGENTS}`]: problem(409, "conflict", "An agent of this workspace has this name.", {
        field: "name",
        request_id: "req_conflict",
      }),
    });
    renderAgents();
    await user.click(await screen.findByRole("button", { name: "New agent from the catalog" }));
    const dialog = screen.getByRole("dialog");
    await user.click(await within(dialog).findByRole("radio", { name: "Release notes writer" }));
    await user.click(within(dialog).getByRole("button", { name: "Create agent" }));
    expect(
      await within(dialog).findByText("An agent of this workspace has this name."),
    ).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Name (optional)")).toHaveAccessibleDescription(
      /has this name/,
    );
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({
      template: "release-notes",
    });
  });

  it("shows other problems with their request id", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${AGENTS}`]: page(),
      [`GET ${CATALOG}`]: json({ items: catalog, next_cursor: null }),
      [`POST ${AGENTS}`]: problem(500, "internal-error", "Something broke on our side."),
    });
    renderAgents();
    await user.click(await screen.findByRole("button", { name: "New agent from the catalog" }));
    const dialog = screen.getByRole("dialog");
    await user.click(await within(dialog).findByRole("radio", { name: "Release notes writer" }));
    await user.click(within(dialog).getByRole("button", { name: "Create agent" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Something broke on our side.");
    expect(alert).toHaveTextContent("req_test");
  });

  it("shows a plan limit inline, with a link to upgrade on the billing page", async () => {
    const user = userEvent.setup();
    const { router } = (() => {
      fakeApi({
        [`GET ${AGENTS}`]: page(),
        [`GET ${CATALOG}`]: json({ items: catalog, next_cursor: null }),
        [`POST ${AGENTS}`]: problem(
          402,
          "entitlement-exceeded:catalog-agents",
          "The Security auditor needs the Growth plan.",
          {
            limit: 0,
            current: 0,
            plan: "starter",
            upgrade_plan: "growth",
            upgrade_url: "/app/w/ws_1/billing",
          },
        ),
      });
      return renderAgents();
    })();
    await user.click(await screen.findByRole("button", { name: "New agent from the catalog" }));
    const dialog = screen.getByRole("dialog");
    await user.click(await within(dialog).findByRole("radio", { name: "Security auditor" }));
    await user.click(within(dialog).getByRole("button", { name: "Create agent" }));
    expect(
      await within(dialog).findByText("The Security auditor needs the Growth plan."),
    ).toBeInTheDocument();
    const upgrade = within(dialog).getByRole("link", { name: "Upgrade to Growth" });
    expect(upgrade).toHaveAttribute("href", "/w/ws_1/billing");
    await user.click(upgrade);
    expect(router.state.location.pathname).toBe("/w/ws_1/billing");
  });
});
