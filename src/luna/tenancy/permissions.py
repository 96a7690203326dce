"""Roles and what each may do. The table in docs/permissions.md is generated from this."""

from __future__ import annotations

from typing import Literal

Role = Literal["owner", "admin", "member", "viewer"]
Action = Literal["read", "write", "manage", "own"]

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


def role_allows(role: str, action: str) -> bool:
    """Whether a team role includes an action."""
    return action in ROLE_ACTIONS.get(role, frozenset())
