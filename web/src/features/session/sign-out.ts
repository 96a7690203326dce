/**
 * Leaves the signed-in app with a full page load, so that nothing the previous session
 * fetched stays in memory; the sign-in page says why with `reason`, and goes on to
 * `returnTo` (an in-app path) after the next sign-in.
 */
export function leaveToSignIn(
  reason: "signed-out" | "signed-out-everywhere" | "account-deleted",
  returnTo?: string,
): void {
  const query = new URLSearchParams({ reason });
  if (returnTo) {
    query.set("next", returnTo);
  }
  window.location.assign(`${import.meta.env.BASE_URL}sign-in?${query.toString()}`);
}
