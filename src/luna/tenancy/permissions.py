"""Roles and what each may do. The table in docs/permissions.md is generated from this."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["owner", "admin", "member", "viewer"]
Action = Literal["read", "write", "manage", "own"]
# Roles an invitation may grant: ownership is only ever handed over by its holder.
InvitableRole = Literal["admin", "member", "viewer"]

ROLES: tuple[Role, ...] = get_args(Role)
ACTIONS: tuple[str, ...] = get_args(Action)
INVITABLE_ROLES: tuple[str, ...] = get_args(InvitableRole)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "member": frozenset({"read", "write"}),
    "admin": frozenset({"read", "write", "manage"}),
    "owner": frozenset({"read", "write", "manage", "own"}),
}

ACTION_MEANING: dict[str, str] = {
    "read": "see agents, runs, usage, API keys (never their secrets) and members",
    "write": "create and edit agents, start and cancel runs, create non-admin API keys",
    "manage": "invite and remove members, change roles below owner, create workspaces and "
    "admin API keys, configure providers and SSO, read the audit log",
    "own": "billing, ownership transfer, deleting the team and its workspaces",
}

# Owners and admins hold the keys to the team, so only owners may change or remove them.
PRIVILEGED_ROLES: frozenset[str] = frozenset({"owner", "admin"})


def role_allows(role: str, action: str) -> bool:
    """Whether a team role includes an action."""
    return action in ROLE_ACTIONS.get(role, frozenset())


def may_manage_member(actor_role: str, target_role: str) -> bool:
    """Whether a member with ``actor_role`` may change or remove one with ``target_role``."""
    needed = "own" if target_role in PRIVILEGED_ROLES else "manage"
    return role_allows(actor_role, needed)


def may_grant_role(actor_role: str, role: str) -> bool:
    """Whether a member with ``actor_role`` may give someone ``role``."""
    return role_allows(actor_role, "own" if role == "owner" else "manage")


def role_table_markdown() -> str:
    """The Markdown table of roles and actions that docs/permissions.md carries."""
    lines = [
        "| action | what it allows | " + " | ".join(ROLES) + " |",
        "| --- | --- | " + " | ".join(":---:" for _ in ROLES) + " |",
    ]
    for action in ACTIONS:
        marks = " | ".join("yes" if role_allows(role, action) else "no" for role in ROLES)
        lines.append(f"| `{action}` | {ACTION_MEANING[action]} | {marks} |")
    return "\n".join(lines) + "\n"
