import type { operations } from "../../api/schema";

/** An action the audit log can be filtered by (the API's enumeration). */
export type AuditAction = NonNullable<
  NonNullable<operations["audit-log-list"]["parameters"]["query"]>["action"]
>;

/**
 * What each action means, in words. `labelOf` fails to compile when the API knows an
 * action this list does not; an action listed here that the API document does not have
 * yet (the server's list grows first) is offered, and the server is the judge.
 */
const ACTION_LABELS = {
  "auth.login": "Signed in",
  "auth.login_failed": "Sign-in failed",
  "auth.logout": "Signed out",
  "auth.mfa_enabled": "Two-factor authentication turned on",
  "auth.mfa_disabled": "Two-factor authentication turned off",
  "auth.password_changed": "Password changed",
  "auth.password_reset": "Password reset",
  "auth.email_changed": "Email address changed",
  "auth.profile_changed": "Display name changed",
  "account.deleted": "Account deleted",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "member.invited": "Member invited",
  "member.invitation_revoked": "Invitation revoked",
  "member.joined": "Member joined",
  "member.role_changed": "Member's role changed",
  "member.removed": "Member removed",
  "member.left": "Member left",
  "team.ownership_transferred": "Ownership transferred",
  "team.renamed": "Team renamed",
  "sso.configured": "Single sign-on configured",
  "sso.removed": "Single sign-on removed",
  "billing.plan_changed": "Plan changed",
  "billing.subscription_changed": "Subscription changed",
  "billing.payment_failed": "Payment failed",
  "billing.payment_succeeded": "Payment succeeded",
  "billing.payment_reminder": "Payment reminder sent",
  "billing.downgraded": "Plan downgraded",
  "billing.checkout_started": "Checkout started",
  "workspace.created": "Workspace created",
  "workspace.renamed": "Workspace renamed",
  "demo.seeded": "Demo data added",
  "demo.removed": "Demo data removed",
  "provider.created": "Model provider added",
  "provider.updated": "Model provider changed",
  "provider.deleted": "Model provider deleted",
  "provider.checked": "Model provider checked",
  "run.share_created": "Run shared",
  "run.share_revoked": "Run share revoked",
  "budget.created": "Budget added",
  "budget.updated": "Budget changed",
  "budget.deleted": "Budget deleted",
  "runs.halted": "Kill switch engaged",
  "runs.resumed": "Kill switch lifted",
  "agent.environment_set": "Agent environment set",
  "agent.promoted": "Agent version promoted",
  "agent.rolled_back": "Agent environment rolled back",
  "agent.environment_deleted": "Agent environment deleted",
  "agent.environment_gated": "Agent environment gated",
  "agent.environment_split": "Agent environment traffic split",
  "eval_suite.created": "Eval suite created",
  "eval_suite.updated": "Eval suite updated",
  "eval_suite.deleted": "Eval suite deleted",
  "eval_suite.cases_added": "Eval cases added",
  "eval_suite.cases_imported": "Eval cases imported",
  "eval_suite.case_from_run": "Run added as an eval case",
  "eval_suite.case_changed": "Eval case changed",
  "eval_suite.case_deleted": "Eval case deleted",
  "eval_run.started": "Eval run started",
  "eval_run.cancelled": "Eval run cancelled",
} as const;

function labelOf(action: AuditAction): string {
  return ACTION_LABELS[action];
}

/** Every action, in the API's order (grouped by what they are about). */
export const AUDIT_ACTIONS = Object.keys(ACTION_LABELS) as AuditAction[];

export function isAuditAction(value: string | null): value is AuditAction {
  return value !== null && Object.hasOwn(ACTION_LABELS, value);
}

/** "Two-factor authentication turned on"; an action this app does not know, as it came. */
export function actionLabel(action: string): string {
  return isAuditAction(action) ? labelOf(action) : action;
}

const GROUP_LABELS: Record<string, string> = {
  auth: "Account",
  api_key: "API keys",
  member: "Team",
  team: "Team",
  sso: "Single sign-on",
  billing: "Billing",
  workspace: "Workspaces",
  demo: "Workspaces",
  provider: "Model providers",
  run: "Runs",
};

/** The actions by what they are about, for the filter's option groups. */
export function actionGroups(): { label: string; actions: AuditAction[] }[] {
  const groups = new Map<string, AuditAction[]>();
  for (const action of AUDIT_ACTIONS) {
    const prefix = action.split(".")[0] ?? action;
    const label = GROUP_LABELS[prefix] ?? "Other";
    groups.set(label, [...(groups.get(label) ?? []), action]);
  }
  return Array.from(groups, ([label, actions]) => ({ label, actions }));
}
