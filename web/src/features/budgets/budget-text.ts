import type { Budget, BudgetScope } from "./hooks";

/** The scopes in the order the form offers them, each as people read it. */
export const SCOPES: readonly { scope: BudgetScope; label: string }[] = [
  { scope: "run", label: "Per run" },
  { scope: "agent_day", label: "Per agent per day" },
  { scope: "api_key_day", label: "Per API key per day" },
  { scope: "workspace_month", label: "Per month" },
];

export function scopeLabel(scope: BudgetScope): string {
  return SCOPES.find((entry) => entry.scope === scope)?.label ?? scope;
}

/** What a scope's subject is: an agent, an API key, or nothing (the whole workspace). */
export function subjectKind(scope: BudgetScope): "agent" | "api_key" | null {
  if (scope === "run" || scope === "agent_day") return "agent";
  if (scope === "api_key_day") return "api_key";
  return null;
}

/** Names of the workspace's agents and API keys, by id. */
export interface SubjectNames {
  agents: ReadonlyMap<string, string>;
  apiKeys: ReadonlyMap<string, string>;
}

/**
 * Who a budget is for: "every agent", "every API key", the agent's or key's name (its id
 * when the name is unknown), or null for a budget of the whole workspace.
 */
export function subjectText(budget: Pick<Budget, "scope" | "subject">, names: SubjectNames) {
  const kind = subjectKind(budget.scope);
  if (kind === null) return null;
  if (budget.subject === "") return kind === "agent" ? "every agent" : "every API key";
  const known = kind === "agent" ? names.agents : names.apiKeys;
  return known.get(budget.subject) ?? budget.subject;
}

const count = new Intl.NumberFormat();
const dollars = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
// A fraction of a cent would read as $0.00.
const fineDollars = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 4,
  maximumFractionDigits: 4,
});

/** "$5.00", or "$0.0042" for less than a cent; from the API's decimal string. */
export function formatUsd(amount: string | number): string {
  const value = Number(amount);
  return value !== 0 && Math.abs(value) < 0.01 ? fineDollars.format(value) : dollars.format(value);
}

/** "200,000 tokens", "1 token". */
export function formatTokens(tokens: number): string {
  return `${count.format(tokens)} ${tokens === 1 ? "token" : "tokens"}`;
}

/** "200,000 tokens · $5.00": the limits a budget has. */
export function limitsText(budget: Pick<Budget, "max_tokens" | "max_cost_usd">): string {
  const limits: string[] = [];
  if (budget.max_tokens !== null) limits.push(formatTokens(budget.max_tokens));
  if (budget.max_cost_usd !== null) limits.push(formatUsd(budget.max_cost_usd));
  return limits.join(" · ");
}

/** The API's amount ("5.00000000") as a person types it ("5.00"), for a form field. */
export function editableAmount(amount: string | null): string {
  if (amount === null) return "";
  if (!amount.includes(".")) return `${amount}.00`;
  const [whole, fraction = ""] = amount.split(".", 2);
  return `${whole ?? "0"}.${fraction.replace(/0+$/, "").padEnd(2, "0")}`;
}

/** "3 runs", "1 chain run". */
export function countOf(amount: number, noun: string): string {
  return `${count.format(amount)} ${noun}${amount === 1 ? "" : "s"}`;
}
