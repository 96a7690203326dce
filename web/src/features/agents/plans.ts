/** The plans from the smallest to the largest, for comparing what a catalog agent needs. */
const PLAN_ORDER = ["starter", "growth", "scale", "enterprise"] as const;

const PLAN_NAMES: Record<string, string> = {
  starter: "Starter",
  growth: "Growth",
  scale: "Scale",
  enterprise: "Enterprise",
};

function rank(plan: string): number {
  return Math.max(0, (PLAN_ORDER as readonly string[]).indexOf(plan));
}

/** Whether a team on `teamPlan` needs a larger plan for something that needs `required`. */
export function needsLargerPlan(teamPlan: string, required: string): boolean {
  return rank(required) > rank(teamPlan);
}

export function planName(plan: string): string {
  return PLAN_NAMES[plan] ?? plan;
}
