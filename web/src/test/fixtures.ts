import type { Schemas } from "../api/client";

export const me: Schemas["Me"] = {
  user: {
    id: "usr_1",
    email: "ada@example.com",
    display_name: "Ada Lovelace",
    email_verified: true,
    created_at: "2026-11-01T09:00:00Z",
  },
  teams: [
    {
      id: "team_1",
      name: "Ada's team",
      plan: "starter",
      personal: true,
      role: "owner",
      workspaces: [
        {
          id: "ws_1",
          team_id: "team_1",
          name: "Analytical Engine",
          created_at: "2026-11-01T09:00:00Z",
        },
      ],
    },
  ],
};

export function apiKey(overrides: Partial<Schemas["ApiKeyOut"]> = {}): Schemas["ApiKeyOut"] {
  return {
    id: "key_1",
    name: "CI pipeline",
    prefix: "luna_sk_AbC",
    scopes: ["runs:read", "runs:write"],
    created_at: "2026-11-20T10:00:00Z",
    expires_at: null,
    last_used_at: null,
    last_used_ip: null,
    revoked_at: null,
    ...overrides,
  };
}
