import type { Schemas } from "../../api/client";

/**
 * The team-role rules the server enforces (src/luna/tenancy/permissions.py), mirrored so
 * that nobody is offered a change the server would refuse. The server stays the judge.
 */
export type Role = Schemas["RoleOut"]["role"];
export type InvitableRole = Schemas["InvitationCreate"]["role"];

/** Strongest first, the order in which role choices are offered. */
export const ROLES: readonly Role[] = ["owner", "admin", "member", "viewer"];

const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  member: "Member",
  viewer: "Viewer",
};

const ROLE_WITH_ARTICLE: Record<Role, string> = {
  owner: "an owner",
  admin: "an admin",
  member: "a member",
  viewer: "a viewer",
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isInvitableRole(value: string): value is InvitableRole {
  return value === "admin" || value === "member" || value === "viewer";
}

/** "Admin"; an unknown role as it came. */
export function roleLabel(role: string): string {
  return isRole(role) ? ROLE_LABELS[role] : role;
}

/** "an admin", for sentences. */
export function roleWithArticle(role: string): string {
  return isRole(role) ? ROLE_WITH_ARTICLE[role] : role;
}

/** The weakest role first; unknown roles last. */
export function roleRank(role: string): number {
  const index = ROLES.indexOf(role as Role);
  return index === -1 ? ROLES.length : ROLES.length - 1 - index;
}

/** Owners and admins (the `manage` action) invite, remove and change roles. */
export function mayManageTeam(callerRole: string): boolean {
  return callerRole === "owner" || callerRole === "admin";
}

/** Only owners touch owners and admins; owners and admins touch members and viewers. */
export function mayManageMember(callerRole: string, memberRole: string): boolean {
  const privileged = memberRole === "owner" || memberRole === "admin";
  return privileged ? callerRole === "owner" : mayManageTeam(callerRole);
}

/** The roles the caller may give someone: only owners make owners. */
export function grantableRoles(callerRole: string): Role[] {
  return ROLES.filter((role) =>
    role === "owner" ? callerRole === "owner" : mayManageTeam(callerRole),
  );
}
