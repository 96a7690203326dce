/**
 * The in-app path to return to after signing in, from `?next=`. Only paths inside the app
 * are followed (never another site: `//evil.example` or `https://...`).
 */
export function safeNextPath(next: string | null): string | null {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) {
    return null;
  }
  return next;
}

/** `path` carrying `next` along, when there is one. */
export function withNext(path: string, next: string | null): string {
  return next ? `${path}?${new URLSearchParams({ next }).toString()}` : path;
}

/** The sign-in page's address, coming back to `returnTo` afterwards. */
export function signInPath(returnTo: string): string {
  return withNext("/sign-in", returnTo);
}
