import type { Schemas } from "../../api/client";

export type ApiKeyScope = Schemas["ApiKeyCreate"]["scopes"][number];

interface ScopeDescription {
  scope: ApiKeyScope;
  label: string;
  description: string;
}

/** Every scope a key can have, in the order the form lists them. */
export const SCOPES = [
  {
    scope: "agents:read",
    label: "Read agents",
    description: "List and read the workspace's agents.",
  },
  {
    scope: "agents:write",
    label: "Write agents",
    description: "Create, change and delete agents.",
  },
  {
    scope: "chains:read",
    label: "Read chains",
    description: "List and read the workspace's chains.",
  },
  {
    scope: "chains:write",
    label: "Write chains",
    description: "Create, change and delete chains.",
  },
  {
    scope: "runs:read",
    label: "Read runs",
    description: "Read runs, their steps and their streams.",
  },
  { scope: "runs:write", label: "Start runs", description: "Start, cancel and replay runs." },
  { scope: "usage:read", label: "Read usage", description: "Read usage and cost figures." },
  {
    scope: "providers:read",
    label: "Read providers",
    description: "List the workspace's model providers (never their keys).",
  },
  {
    scope: "providers:write",
    label: "Check providers",
    description: "Probe the workspace's model providers; changing them needs admin.",
  },
  {
    scope: "webhooks:read",
    label: "Read webhooks",
    description: "List webhook endpoints and their deliveries (never their secrets).",
  },
  {
    scope: "webhooks:write",
    label: "Manage webhooks",
    description: "Create, change, test and delete webhook endpoints. Owners and admins only.",
  },
  {
    scope: "budgets:read",
    label: "Read budgets",
    description: "List budgets with their spend, and see the kill switch.",
  },
  {
    scope: "budgets:write",
    label: "Manage budgets",
    description: "Set budgets and engage or lift the kill switch. Owners and admins only.",
  },
  {
    scope: "admin",
    label: "Administer",
    description: "Everything, including the workspace's API keys. Owners and admins only.",
  },
] as const satisfies readonly ScopeDescription[];

// A scope added to the API and missing above fails the type check here.
type Unlisted = Exclude<ApiKeyScope, (typeof SCOPES)[number]["scope"]>;
export const everyScopeListed: [Unlisted] extends [never] ? true : never = true;

export function isScope(value: string): value is ApiKeyScope {
  return SCOPES.some((entry) => entry.scope === value);
}
