/** A case's form: its fields as the API's `CaseIn`, and a case back as the fields' values. */
import { ApiProblem } from "../../api/client";
import { textField } from "../../lib/form-data";
import { formErrors, type FormErrors } from "../../lib/form-errors";
import type { EvalCase, NewCase, ToolOrder } from "./hooks";

/** The form's fields, named as the API names them (checks without their `checks/`). */
export const CASE_FIELDS = [
  "name",
  "input",
  "expected_output",
  "contains",
  "case_sensitive",
  "output_schema",
  "required_tools",
  "tool_order",
  "forbidden_tools",
  "rubric",
  "max_cost_usd",
  "max_latency_ms",
] as const;

/** The values a case's form starts with. */
export interface CaseFormValues {
  name: string;
  input: string;
  expectedOutput: string;
  /** One text per line. */
  contains: string;
  caseSensitive: boolean;
  outputSchema: string;
  /** Comma-separated. */
  requiredTools: string;
  toolOrder: ToolOrder;
  forbiddenTools: string;
  rubric: string;
  maxCostUsd: string;
  maxLatencyMs: string;
}

export const EMPTY_CASE: CaseFormValues = {
  name: "",
  input: "",
  expectedOutput: "",
  contains: "",
  caseSensitive: true,
  outputSchema: "",
  requiredTools: "",
  toolOrder: "any",
  forbiddenTools: "",
  rubric: "",
  maxCostUsd: "",
  maxLatencyMs: "",
};

/** An amount as the API keeps it ("0.05000000") written plainly ("0.05"). */
function plainAmount(amount: string): string {
  return amount.includes(".") ? amount.replace(/0+$/, "").replace(/\.$/, "") : amount;
}

export function caseFormValues(existing: EvalCase): CaseFormValues {
  const { checks } = existing;
  return {
    name: existing.name,
    input: existing.input,
    expectedOutput: checks.expected_output ?? "",
    contains: (checks.contains ?? []).join("\n"),
    caseSensitive: checks.case_sensitive,
    outputSchema: checks.output_schema ? JSON.stringify(checks.output_schema, null, 2) : "",
    requiredTools: (checks.required_tools ?? []).join(", "),
    toolOrder: checks.tool_order,
    forbiddenTools: (checks.forbidden_tools ?? []).join(", "),
    rubric: checks.rubric ?? "",
    maxCostUsd: checks.max_cost_usd ? plainAmount(checks.max_cost_usd) : "",
    maxLatencyMs: String(checks.max_latency_ms ?? ""),
  };
}

/** Texts one per line, blank lines left out. */
export function linesOf(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Tool names separated by commas, spaces or lines. */
export function toolsOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter(Boolean);
}

const TOOL_ORDER_VALUES: readonly string[] = ["any", "in_order", "exact"];

/** The case the form describes, or the errors of fields the browser cannot check. */
export function caseFromForm(
  form: FormData,
): { body: NewCase } | { fields: Partial<Record<string, string>> } {
  const schemaText = textField(form, "output_schema").trim();
  let schema: Record<string, unknown> | null = null;
  if (schemaText) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(schemaText);
    } catch {
      return { fields: { output_schema: "This is not valid JSON." } };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return { fields: { output_schema: "A JSON Schema is a JSON object: { … }." } };
    }
    schema = parsed as Record<string, unknown>;
  }
  const order = textField(form, "tool_order");
  const expected = textField(form, "expected_output");
  const rubric = textField(form, "rubric").trim();
  const cost = textField(form, "max_cost_usd").trim();
  const latency = textField(form, "max_latency_ms").trim();
  return {
    body: {
      name: textField(form, "name").trim(),
      input: textField(form, "input"),
      checks: {
        expected_output: expected.trim() ? expected : null,
        contains: linesOf(textField(form, "contains")),
        case_sensitive: form.get("case_sensitive") !== null,
        output_schema: schema,
        required_tools: toolsOf(textField(form, "required_tools")),
        tool_order: TOOL_ORDER_VALUES.includes(order) ? (order as ToolOrder) : "any",
        forbidden_tools: toolsOf(textField(form, "forbidden_tools")),
        rubric: rubric || null,
        max_cost_usd: cost || null,
        max_latency_ms: latency ? Number(latency) : null,
      },
    },
  };
}

/**
 * The API's refusal of a case placed by its fields: a pointer such as `#/0/checks/contains/1`
 * (a case added in a list) or `#/checks/rubric` names the field `contains` or `rubric`.
 */
export function caseErrors(error: unknown): FormErrors {
  const base = formErrors(error, []);
  if (!(error instanceof ApiProblem)) {
    return base;
  }
  const known: readonly string[] = CASE_FIELDS;
  const fields: Partial<Record<string, string>> = {};
  const elsewhere: string[] = [];
  for (const item of error.problem.errors ?? []) {
    const field = (item.pointer ?? "")
      .replace(/^#\//, "")
      .split("/")
      .find((part) => part !== "checks" && !/^\d+$/.test(part));
    if (field && known.includes(field)) {
      fields[field] ??= item.message;
    } else {
      elsewhere.push(item.message);
    }
  }
  if (Object.keys(fields).length === 0) {
    return base;
  }
  return {
    fields,
    message: elsewhere.length > 0 ? elsewhere.join(" ") : "Please correct the highlighted fields.",
    requestId: base.requestId,
  };
}
