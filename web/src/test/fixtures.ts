import type { Schemas } from "../api/client";

export const me: Schemas["Me"] = {
  user: {
    id: "usr_1",
    email: "ada@example.com",
    display_name: "Ada Lovelace",
    email_verified: true,
    has_password: true,
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
          demo: false,
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

type Plan = Schemas["PlanOut"];

function plan(overrides: Partial<Plan> & Pick<Plan, "id" | "name">): Plan {
  return {
    description: "",
    price_cents: 0,
    currency: "usd",
    runs_per_day: null,
    active_agents: null,
    workspaces: null,
    seats: null,
    concurrent_runs: null,
    api_requests_per_minute: 60,
    sso: false,
    all_catalog_agents: false,
    support_level: "community",
    data_retention_days: null,
    public: true,
    ...overrides,
  };
}

const starterPlan = plan({
  id: "starter",
  name: "Starter",
  description: "For trying Luna out.",
  runs_per_day: 100,
  active_agents: 3,
  workspaces: 1,
  seats: 2,
  concurrent_runs: 2,
  data_retention_days: 7,
});

export const growthPlan = plan({
  id: "growth",
  name: "Growth",
  description: "For teams shipping agents.",
  price_cents: 4900,
  runs_per_day: 2000,
  active_agents: 20,
  workspaces: 5,
  seats: 10,
  concurrent_runs: 10,
  api_requests_per_minute: 600,
  all_catalog_agents: true,
  support_level: "email",
  data_retention_days: 30,
});

export const scalePlan = plan({
  id: "scale",
  name: "Scale",
  description: "For busy teams.",
  price_cents: 29900,
  runs_per_day: 20000,
  active_agents: 100,
  workspaces: null,
  seats: 50,
  concurrent_runs: 50,
  api_requests_per_minute: 3000,
  sso: true,
  all_catalog_agents: true,
  support_level: "priority",
  data_retention_days: 90,
});

const enterprisePlan = plan({
  id: "enterprise",
  name: "Enterprise",
  description: "Custom limits and terms.",
  price_cents: null,
  api_requests_per_minute: 10000,
  sso: true,
  all_catalog_agents: true,
  support_level: "dedicated",
});

/** The price list, as `GET /api/v1/plans` answers it. */
export const plans: Plan[] = [starterPlan, growthPlan, scalePlan, enterprisePlan];

export function billingOverview(
  overrides: Partial<Schemas["BillingOverview"]> = {},
): Schemas["BillingOverview"] {
  return {
    team_id: "team_1",
    plan: growthPlan,
    subscription: {
      provider: "stripe",
      plan_id: "growth",
      status: "active",
      current_period_end: "2026-12-20T10:00:00Z",
      cancel_at_period_end: false,
      past_due_since: null,
      grace_until: null,
    },
    usage: [
      { entitlement: "runs-per-day", used: 150, limit: 2000 },
      { entitlement: "active-agents", used: 19, limit: 20 },
      { entitlement: "workspaces", used: 1, limit: null },
      { entitlement: "seats", used: 3, limit: 10 },
    ],
    ...overrides,
  };
}

export function invoice(overrides: Partial<Schemas["InvoiceOut"]> = {}): Schemas["InvoiceOut"] {
  return {
    id: "inv_1",
    provider: "stripe",
    number: "LUNA-0001",
    status: "paid",
    currency: "usd",
    amount_due_cents: 4900,
    amount_paid_cents: 4900,
    period_start: "2026-10-20T10:00:00Z",
    period_end: "2026-11-20T10:00:00Z",
    hosted_url: "https://invoice.stripe.test/i/inv_1",
    pdf_url: "https://invoice.stripe.test/i/inv_1.pdf",
    issued_at: "2026-10-20T10:00:00Z",
    ...overrides,
  };
}

export function agent(overrides: Partial<Schemas["AgentOut"]> = {}): Schemas["AgentOut"] {
  return {
    id: "agt_1",
    name: "Code reviewer",
    description: "Reviews pull requests.",
    status: "active",
    tags: ["review"],
    current_version: 3,
    template_slug: null,
    created_by_user_id: "usr_1",
    created_at: "2026-11-10T09:00:00Z",
    updated_at: "2026-11-20T09:00:00Z",
    ...overrides,
  };
}

export function catalogAgent(
  overrides: Partial<Schemas["CatalogAgentSummary"]> = {},
): Schemas["CatalogAgentSummary"] {
  return {
    slug: "release-notes",
    name: "Release notes writer",
    category: "ship",
    summary: "Writes release notes from merged pull requests.",
    plan: "starter",
    artifact: "RELEASE_NOTES.md",
    tags: ["changelog"],
    tools: ["http_fetch"],
    ...overrides,
  };
}

export function provider(overrides: Partial<Schemas["ProviderOut"]> = {}): Schemas["ProviderOut"] {
  return {
    id: "prv_1",
    name: "Anthropic",
    kind: "anthropic",
    base_url: null,
    default_model: "claude-sonnet-4-6",
    is_default: true,
    options: {},
    api_key_set: true,
    api_key_hint: "abcd",
    last_checked_at: null,
    last_check_ok: null,
    last_check_latency_ms: null,
    last_check_error: null,
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

export function run(overrides: Partial<Schemas["RunOut"]> = {}): Schemas["RunOut"] {
  return {
    id: "run_1",
    workspace_id: "ws_1",
    agent_id: "agt_1",
    agent_version_id: "agv_1",
    parent_run_id: null,
    thread_id: null,
    draft: false,
    status: "succeeded",
    input: { prompt: "Review PR 42" },
    output: { text: "Looks good." },
    error: null,
    model: "gpt-test",
    provider_id: null,
    step_count: 3,
    tokens_in: 1200,
    tokens_out: 350,
    cost_usd: "0.0123",
    latency_ms: 2450,
    cancel_requested_at: null,
    created_at: "2026-11-20T09:00:00Z",
    started_at: "2026-11-20T09:00:01Z",
    finished_at: "2026-11-20T09:00:03Z",
    ...overrides,
  };
}

export function evalCase(overrides: Partial<Schemas["CaseOut"]> = {}): Schemas["CaseOut"] {
  return {
    id: "evc_1",
    name: "sums",
    input: "What is 2 + 2?",
    position: 0,
    source_run_id: null,
    checks: {
      expected_output: null,
      contains: [],
      case_sensitive: true,
      output_schema: null,
      required_tools: [],
      tool_order: "any",
      forbidden_tools: [],
      rubric: null,
      max_cost_usd: null,
      max_latency_ms: null,
    },
    created_at: "2026-11-20T09:00:00Z",
    updated_at: "2026-11-20T09:00:00Z",
    ...overrides,
  };
}

export function evalSuite(overrides: Partial<Schemas["SuiteDetail"]> = {}): Schemas["SuiteDetail"] {
  const cases = overrides.cases ?? [];
  return {
    id: "evs_1",
    agent_id: "agt_1",
    name: "Sums",
    description: "",
    revision: 1,
    case_count: cases.length,
    cases,
    created_at: "2026-11-20T09:00:00Z",
    updated_at: "2026-11-20T09:00:00Z",
    ...overrides,
  };
}

export function evalTarget(
  overrides: Partial<Schemas["EvalTargetOut"]> = {},
): Schemas["EvalTargetOut"] {
  return {
    position: 0,
    label: "v3",
    version: 3,
    cases_done: 4,
    cases_passed: 3,
    pass_rate: 0.75,
    mean_score: 0.8,
    tokens_in: 1200,
    tokens_out: 350,
    cost_usd: "0.0123",
    mean_latency_ms: 1200,
    mean_confidence: 0.9,
    ...overrides,
  };
}

export function evalResult(
  overrides: Partial<Schemas["EvalResultOut"]> = {},
): Schemas["EvalResultOut"] {
  return {
    case_id: "evc_1",
    case_name: "sums",
    position: 0,
    target: 0,
    status: "passed",
    score: 1,
    confidence: 0.9,
    checks: [],
    output: "4",
    error: null,
    run_id: "run_1",
    tokens_in: 300,
    tokens_out: 80,
    cost_usd: "0.0030",
    latency_ms: 1100,
    ...overrides,
  };
}

export function evalRun(
  overrides: Partial<Schemas["EvalRunDetail"]> = {},
): Schemas["EvalRunDetail"] {
  return {
    id: "evr_1",
    agent_id: "agt_1",
    suite_id: "evs_1",
    suite_revision: 1,
    status: "succeeded",
    billable: false,
    case_count: 4,
    targets: [evalTarget()],
    results: [],
    error: null,
    created_at: "2026-11-20T10:00:00Z",
    started_at: "2026-11-20T10:00:01Z",
    finished_at: "2026-11-20T10:01:00Z",
    ...overrides,
  };
}

/** A suite as the list answers it: without its cases. */
export function suiteSummary(suite: Schemas["SuiteDetail"]): Schemas["SuiteOut"] {
  return {
    id: suite.id,
    agent_id: suite.agent_id,
    name: suite.name,
    description: suite.description,
    revision: suite.revision,
    case_count: suite.case_count,
    created_at: suite.created_at,
    updated_at: suite.updated_at,
  };
}
