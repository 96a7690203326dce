import type { Me } from "../session/use-me";
import { homePath } from "../session/use-me";

/** Where a new account goes first: the guided setup of its first workspace. */
export function onboardingPath(me: Me): string {
  const home = homePath(me);
  return home.startsWith("/w/") ? `${home}/onboarding` : home;
}
