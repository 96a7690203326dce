import type { Me } from "../session/use-me";
import { homePath } from "../session/use-me";

/** Where a new account goes first: the guided setup of its first workspace. */
export function onboardingPath(me: Me): string {
  const home = homePath(me);
  return home.startsWith("/w/") ? `${home}/onboarding` : home;
}

/** A plan id as the pricing page links it (`/sign-up?plan=growth`), or null. */
export function chosenPlan(value: string | null): string | null {
  return value !== null && /^[a-z0-9][a-z0-9-]{0,39}$/.test(value) ? value : null;
}

/**
 * Where a new account goes first: the billing page with the plan it chose on the pricing
 * page, to buy it; otherwise the guided setup.
 */
export function firstPath(me: Me, plan: string | null): string {
  const home = homePath(me);
  if (plan === null || !home.startsWith("/w/")) {
    return onboardingPath(me);
  }
  return `${home}/billing?${new URLSearchParams({ plan }).toString()}`;
}
