"""Tenancy: teams, workspaces, memberships, roles, invitations and the audit log."""
