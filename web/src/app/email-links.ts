/**
 * Luna's emails link to `/reset-password?token=...`, `/verify-email?token=...` and
 * `/invitations/accept?token=...` at the site's root. The server answers those paths with
 * the app; this moves the address under the app's base (`/app/reset-password?token=...`)
 * before the router starts, without a reload or a history entry.
 */
export const EMAIL_LINK_PATHS = [
  "/reset-password",
  "/verify-email",
  "/invitations/accept",
] as const;

export function routeEmailLinkIntoApp(location: Location, history: History, base: string): void {
  const path = location.pathname.replace(/\/+$/, "");
  if ((EMAIL_LINK_PATHS as readonly string[]).includes(path)) {
    const appBase = base.replace(/\/+$/, "");
    history.replaceState(history.state, "", `${appBase}${path}${location.search}${location.hash}`);
  }
}
