/**
 * What a team role may do with the workspace's providers, as the server enforces it:
 * adding, changing and deleting one decides where the workspace's keys are sent
 * (`manage`: owners and admins); checking one is `write` (members too); everyone reads.
 */
export function mayManageProviders(role: string): boolean {
  return role === "owner" || role === "admin";
}

export function mayCheckProviders(role: string): boolean {
  return mayManageProviders(role) || role === "member";
}
