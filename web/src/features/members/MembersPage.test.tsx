import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { json, noContent, problem, page } from "../../test/fake-api";
import { renderWorkspacePage } from "../../test/workspace";
import { MembersPage } from "./MembersPage";

const TEAM = "/api/v1/teams/team_1";
const MEMBERS = `${TEAM}/members`;
const INVITATIONS = `${TEAM}/invitations`;

type Member = Schemas["MemberOut"];
type Invitation = Schemas["InvitationOut"];

function member(overrides: Partial<Member> & Pick<Member, "id" | "user_id">): Member {
  return {
    email: `${overrides.user_id}@example.com`,
    display_name: overrides.user_id,
    role: "member",
    joined_at: "2026-11-05T09:00:00Z",
    ...overrides,
  };
}

const ada = member({
  id: "mem_1",
  user_id: "usr_1",
  email: "ada@example.com",
  display_name: "Ada Lovelace",
  role: "owner",
  joined_at: "2026-11-01T09:00:00Z",
});
const alan = member({
  id: "mem_2",
  user_id: "usr_2",
  email: "alan@example.com",
  display_name: "Alan Turing",
  role: "admin",
});
const grace = member({
  id: "mem_3",
  user_id: "usr_3",
  email: "grace@example.com",
  display_name: "Grace Hopper",
  role: "member",
});

function invitation(overrides: Partial<Invitation> = {}): Invitation {
  return {
    id: "inv_1",
    team_id: "team_1",
    email: "charles@example.com",
    role: "viewer",
    invited_by_user_id: "usr_1",
    created_at: "2026-11-20T09:00:00Z",
    expires_at: "2026-11-27T09:00:00Z",
    ...overrides,
  };
}

const rolesTable: Schemas["RolesOut"] = {
  actions: [
    { action: "read", meaning: "see agents, runs and members" },
    { action: "write", meaning: "create and edit agents, start runs" },
    { action: "manage", meaning: "invite and remove members" },
    { action: "own", meaning: "billing and ownership transfer" },
  ],
  roles: [
    { role: "viewer", actions: ["read"], may_be_invited: true },
    { role: "member", actions: ["read", "write"], may_be_invited: true },
    { role: "admin", actions: ["read", "write", "manage"], may_be_invited: true },
    { role: "owner", actions: ["read", "write", "manage", "own"], may_be_invited: false },
  ],
};

type Answers = Record<string, Response | Response[]>;

/** The page as the signed-in Ada sees it, with `role` as her role in the team. */
function renderMembers({
  role = "owner",
  answers = {},
}: { role?: string; answers?: Answers } = {}) {
  return renderWorkspacePage({
    path: "members",
    element: <MembersPage />,
    role,
    answers: {
      "GET /api/v1/roles": json(rolesTable),
      [`GET ${MEMBERS}`]: page([{ ...ada, role }, alan, grace]),
      [`GET ${INVITATIONS}`]: page([]),
      ...answers,
    },
    otherRoutes: [{ path: "/", element: <p>Home</p> }],
  });
}

async function membersTable() {
  return screen.findByRole("table", { name: "Members of Ada's team" });
}

describe("MembersPage", () => {
  it("lists the members with their roles, marking the signed-in user", async () => {
    renderMembers();
    const table = await membersTable();
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(4);
    expect(rows[1]).toHaveTextContent("Ada Lovelace (you)");
    expect(rows[1]).toHaveTextContent("ada@example.com");
    expect(rows[1]).toHaveTextContent("Owner");
    expect(rows[2]).toHaveTextContent("Alan Turing");
    expect(rows[3]).toHaveTextContent("grace@example.com");

    const mine = screen.getByRole("row", { name: /Ada Lovelace/ });
    expect(within(mine).queryByRole("combobox")).not.toBeInTheDocument();
    expect(within(mine).queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    expect(within(mine).getByRole("button", { name: "Leave Ada's team" })).toBeInTheDocument();
    expect(document.title).toBe("Members · Ada's team · Luna");
  });

  it("lets an owner change a role, saving it at once", async () => {
    const user = userEvent.setup();
    const { requests } = renderMembers({
      answers: { [`PATCH ${MEMBERS}/mem_3`]: json({ ...grace, role: "admin" }) },
    });
    await membersTable();
    const select = screen.getByRole("combobox", { name: "Role of Grace Hopper" });
    expect(
      within(select)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["Owner", "Admin", "Member", "Viewer"]);
    await user.selectOptions(select, "admin");

    const row = screen.getByRole("row", { name: /Grace Hopper/ });
    expect(await within(row).findByText("Saved")).toBeInTheDocument();
    expect(select).toHaveValue("admin");
    const patches = requests.filter((request) => request.method === "PATCH");
    expect(patches).toHaveLength(1);
    expect(patches[0]?.path).toBe(`${MEMBERS}/mem_3`);
    expect(patches[0]?.body).toEqual({ role: "admin" });
  });

  it("shows a refused role change next to the role, which stays as it was", async () => {
    const user = userEvent.setup();
    renderMembers({
      answers: {
        [`PATCH ${MEMBERS}/mem_3`]: problem(
          403,
          "forbidden",
          "Only owners may make someone an owner.",
        ),
      },
    });
    await membersTable();
    const select = screen.getByRole("combobox", { name: "Role of Grace Hopper" });
    await user.selectOptions(select, "owner");
    expect(await screen.findByText("Only owners may make someone an owner.")).toBeInTheDocument();
    expect(select).toHaveValue("member");
    expect(select).toHaveAccessibleDescription("Only owners may make someone an owner.");
  });

  it("offers an admin only the roles and people an admin may manage", async () => {
    renderMembers({ role: "admin" });
    await membersTable();
    // The owner and the other admin are beyond an admin's reach.
    for (const name of ["Ada Lovelace", "Alan Turing"]) {
      const row = screen.getByRole("row", { name: new RegExp(name) });
      expect(within(row).queryByRole("combobox")).not.toBeInTheDocument();
      expect(within(row).queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    }
    const select = screen.getByRole("combobox", { name: "Role of Grace Hopper" });
    expect(
      within(select)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["Admin", "Member", "Viewer"]);
  });

  it("shows a viewer no role choices, no invitation form and no invitations", async () => {
    const { requests } = renderMembers({ role: "viewer" });
    await membersTable();
    expect(screen.queryByRole("combobox")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Invite someone" })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Email address")).not.toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Pending invitations" })).not.toBeInTheDocument();
    expect(screen.getByText(/Only owners and admins can invite people/)).toBeInTheDocument();
    expect(requests.some((request) => request.path === INVITATIONS)).toBe(false);
  });

  it("invites someone, and the invitation joins the pending list", async () => {
    const user = userEvent.setup();
    const sent = invitation({ id: "inv_2", email: "grace@navy.example", role: "admin" });
    const { requests } = renderMembers({
      answers: {
        [`GET ${INVITATIONS}`]: [page([invitation()]), page([sent, invitation()])],
        [`POST ${INVITATIONS}`]: json(sent, 201),
      },
    });
    const list = await screen.findByRole("list", { name: "Pending invitations" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    const roleSelect = screen.getByLabelText("Role");
    expect(
      within(roleSelect)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["Admin", "Member", "Viewer"]);
    await user.type(screen.getByLabelText("Email address"), "grace@navy.example");
    await user.selectOptions(roleSelect, "admin");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));

    expect(await screen.findByText(/Invitation sent to grace@navy.example/)).toBeInTheDocument();
    await waitFor(() => {
      expect(within(list).getAllByRole("listitem")).toHaveLength(2);
    });
    expect(within(list).getAllByRole("listitem")[0]).toHaveTextContent("grace@navy.example");
    expect(within(list).getAllByRole("listitem")[0]).toHaveTextContent("Admin");
    expect(screen.getByLabelText("Email address")).toHaveValue("");
    const post = requests.find((request) => request.method === "POST");
    expect(post?.body).toEqual({ email: "grace@navy.example", role: "admin" });
  });

  it("shows a refused invitation next to the email address", async () => {
    const user = userEvent.setup();
    renderMembers({
      answers: {
        [`POST ${INVITATIONS}`]: [
          problem(409, "conflict", "grace@example.com is already a member of this team.", {
            field: "email",
          }),
          problem(422, "validation-failed", "The request is invalid.", {
            errors: [{ in: "body", pointer: "#/email", message: "Not a valid email address." }],
          }),
          problem(402, "entitlement-exceeded:seats", "Your plan's 3 seats are all taken."),
        ],
      },
    });
    const email = await screen.findByLabelText("Email address");
    await user.type(email, "grace@example.com");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(
      await screen.findByText("grace@example.com is already a member of this team."),
    ).toBeInTheDocument();
    expect(email).toHaveAccessibleDescription(/already a member of this team/);
    expect(email).toBeInvalid();

    await user.clear(email);
    await user.type(email, "charles@example");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText("Not a valid email address.")).toBeInTheDocument();
    expect(email).toHaveAccessibleDescription("Not a valid email address.");

    await user.clear(email);
    await user.type(email, "charles@example.com");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Your plan's 3 seats are all taken.",
    );
  });

  it("revokes a pending invitation", async () => {
    const user = userEvent.setup();
    const { requests } = renderMembers({
      answers: {
        [`GET ${INVITATIONS}`]: [page([invitation()]), page([])],
        [`DELETE ${INVITATIONS}/inv_1`]: noContent(),
      },
    });
    await user.click(
      await screen.findByRole("button", { name: "Revoke the invitation of charles@example.com" }),
    );
    expect(await screen.findByText(/charles@example.com is revoked/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "No pending invitations" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Pending invitations" })).toHaveFocus();
    expect(requests.some((request) => request.method === "DELETE")).toBe(true);
  });

  it("removes a member after confirmation", async () => {
    const user = userEvent.setup();
    const { requests } = renderMembers({
      answers: {
        [`GET ${MEMBERS}`]: [page([ada, alan, grace]), page([ada, alan])],
        [`DELETE ${MEMBERS}/mem_3`]: noContent(),
      },
    });
    await membersTable();
    await user.click(screen.getByRole("button", { name: "Remove Grace Hopper" }));
    const confirm = screen.getByRole("alertdialog", {
      name: "Remove Grace Hopper from Ada's team?",
    });
    expect(confirm).toHaveTextContent("API keys they created stay");
    await user.click(within(confirm).getByRole("button", { name: "Remove member" }));

    expect(await screen.findByText(/Grace Hopper is no longer a member/)).toBeInTheDocument();
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(screen.queryByRole("row", { name: /Grace Hopper/ })).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Team members" })).toHaveFocus();
    expect(requests.filter((request) => request.method === "DELETE")).toHaveLength(1);
  });

  it("keeps the last owner from leaving, and lets anyone else leave", async () => {
    const user = userEvent.setup();
    renderMembers();
    await membersTable();
    await user.click(screen.getByRole("button", { name: "Leave Ada's team" }));
    const refusal = screen.getByRole("alertdialog", { name: "You cannot leave Ada's team yet" });
    expect(refusal).toHaveTextContent("last owner");
    expect(within(refusal).queryByRole("button", { name: "Leave team" })).not.toBeInTheDocument();
    await user.click(within(refusal).getByRole("button", { name: "Close" }));
    expect(screen.getByRole("button", { name: "Leave Ada's team" })).toHaveFocus();
  });

  it("leaves the team and goes home", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderMembers({
      role: "member",
      answers: { [`POST ${TEAM}/leave`]: noContent() },
    });
    await membersTable();
    await user.click(screen.getByRole("button", { name: "Leave Ada's team" }));
    const confirm = screen.getByRole("alertdialog", { name: "Leave Ada's team?" });
    await user.click(within(confirm).getByRole("button", { name: "Leave team" }));
    expect(await screen.findByText("Home")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
    expect(requests.filter((request) => request.path === "/api/v1/me")).toHaveLength(2);
  });

  it("shows what each role may do, from the server's table, with the caller's role marked", async () => {
    renderMembers({ role: "admin" });
    const matrix = await screen.findByRole("table", { name: /What each role may do/ });
    const headers = within(matrix)
      .getAllByRole("columnheader")
      .map((header) => header.textContent);
    expect(headers).toEqual(["Action", "Viewer", "Member", "Admin(your role)", "Owner"]);
    const manage = within(matrix).getByRole("row", { name: /manage/ });
    expect(
      within(manage)
        .getAllByRole("cell")
        .map((cell) => cell.textContent),
    ).toEqual(["No", "No", "Yes", "Yes"]);
    expect(manage).toHaveTextContent("invite and remove members");
    const read = within(matrix).getByRole("row", { name: /read/ });
    expect(
      within(read)
        .getAllByRole("cell")
        .map((cell) => cell.textContent),
    ).toEqual(["Yes", "Yes", "Yes", "Yes"]);
  });

  it("shows an error state with a retry when the members cannot be loaded", async () => {
    const user = userEvent.setup();
    renderMembers({
      answers: {
        [`GET ${MEMBERS}`]: [
          problem(503, "service-unavailable", "The database is unavailable."),
          page([ada]),
        ],
      },
    });
    expect(await screen.findByText("The database is unavailable.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await membersTable()).toHaveTextContent("Ada Lovelace (you)");
  });
});
