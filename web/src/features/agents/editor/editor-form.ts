/**
 * The editor's form: what it shows of an agent, whether it was changed, the PATCH that
 * saves the changes, and where the API's field errors go.
 */
import { ApiProblem } from "../../../api/client";
import type { AgentDetail } from "../hooks";
import { planLimitOf, type PlanLimit } from "../PlanLimitAlert";
import { stableJson } from "./definition-text";
import type { AgentDefinition, AgentUpdate, ToolChoice, ToolName } from "./hooks";

export type AgentStatus = AgentDetail["status"];

/** The built-in tools an agent may call, in the order the editor lists them. */
export const BUILT_IN_TOOLS = [
  { name: "http_fetch", label: "HTTP fetch", summary: "Fetches a web page or an API." },
  { name: "calculator", label: "Calculator", summary: "Evaluates arithmetic." },
  { name: "current_time", label: "Current time", summary: "Tells the date and time." },
  { name: "json_query", label: "JSON query", summary: "Picks values out of JSON." },
  { name: "text_stats", label: "Text statistics", summary: "Counts words and lines." },
  {
    name: "knowledge_search",
    label: "Knowledge search",
    summary: "Searches the workspace's documents.",
  },
] as const satisfies readonly { name: ToolName; label: string; summary: string }[];

/** The form's values, as its controls hold them. */
export interface EditorValues {
  name: string;
  description: string;
  /** Comma-separated. */
  tags: string;
  status: AgentStatus;
  instructions: string;
  /** "" for the workspace's default provider and model. */
  providerId: string;
  model: string;
  temperature: string;
  topP: string;
  maxTokens: string;
  thinkingBudget: string;
  tools: ToolChoice[];
  /** JSON of the definition's MCP servers and input and output schemas. */
  advanced: string;
}

export type EditorField = keyof EditorValues;

/** The definition's fields that only the advanced JSON edits. */
const ADVANCED_KEYS = ["mcp_servers", "input_schema", "output_schema"] as const;

function numberText(value: number | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

export function valuesOf(agent: AgentDetail): EditorValues {
  const { definition } = agent;
  const settings = definition.model?.settings;
  return {
    name: agent.name,
    description: agent.description,
    tags: agent.tags.join(", "),
    status: agent.status,
    instructions: definition.instructions,
    providerId: definition.model?.provider_id ?? "",
    model: definition.model?.model ?? "",
    temperature: numberText(settings?.temperature),
    topP: numberText(settings?.top_p),
    maxTokens: numberText(settings?.max_tokens),
    thinkingBudget: numberText(settings?.thinking_budget),
    tools: definition.tools ?? [],
    advanced: stableJson({
      mcp_servers: definition.mcp_servers ?? [],
      input_schema: definition.input_schema ?? null,
      output_schema: definition.output_schema ?? null,
    }),
  };
}

/** The advanced JSON in a canonical form, or the text itself while it does not parse. */
function canonicalAdvanced(text: string): string {
  try {
    return stableJson(JSON.parse(text));
  } catch {
    return text;
  }
}

function tagsOf(text: string): string[] {
  return text
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

function byName(tools: readonly ToolChoice[]): ToolChoice[] {
  return [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const DEFINITION_FIELDS: readonly EditorField[] = [
  "instructions",
  "providerId",
  "model",
  "temperature",
  "topP",
  "maxTokens",
  "thinkingBudget",
  "tools",
  "advanced",
];

function fieldChanged(field: EditorField, before: EditorValues, after: EditorValues): boolean {
  switch (field) {
    case "tags":
      return tagsOf(before.tags).join(",") !== tagsOf(after.tags).join(",");
    case "tools":
      // The order tools are listed in does not change what the agent may call.
      return stableJson(byName(before.tools)) !== stableJson(byName(after.tools));
    case "advanced":
      return canonicalAdvanced(before.advanced) !== canonicalAdvanced(after.advanced);
    default:
      return before[field] !== after[field];
  }
}

/** The fields whose values differ from the saved ones. */
export function changedFields(saved: EditorValues, values: EditorValues): EditorField[] {
  return (Object.keys(values) as EditorField[]).filter((field) =>
    fieldChanged(field, saved, values),
  );
}

export type FieldMessages = Partial<Record<EditorField, string>>;

export type SaveRequest = { ok: true; body: AgentUpdate } | { ok: false; errors: FieldMessages };

function optionalNumber(text: string, field: EditorField, errors: FieldMessages): number | null {
  if (text.trim() === "") {
    return null;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    errors[field] = "Enter a number, or leave it empty for the provider's default.";
    return null;
  }
  return value;
}

type AdvancedFields = Pick<AgentDefinition, (typeof ADVANCED_KEYS)[number]>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The advanced JSON's fields, or why they cannot be saved. */
export function parseAdvanced(text: string): { fields: AdvancedFields } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { error: `This is not valid JSON: ${reason}` };
  }
  if (!isPlainObject(parsed)) {
    return { error: "Write a JSON object, such as {}." };
  }
  const unknown = Object.keys(parsed).filter(
    (key) => !(ADVANCED_KEYS as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    return {
      error: `Only mcp_servers, input_schema and output_schema belong here, not ${unknown.join(", ")}.`,
    };
  }
  const {
    mcp_servers: servers = [],
    input_schema: input = null,
    output_schema: output = null,
  } = parsed;
  if (!Array.isArray(servers)) {
    return { error: "mcp_servers must be a list." };
  }
  if ((input !== null && !isPlainObject(input)) || (output !== null && !isPlainObject(output))) {
    return { error: "input_schema and output_schema must each be a JSON Schema object, or null." };
  }
  return {
    fields: {
      mcp_servers: servers as AgentDefinition["mcp_servers"],
      input_schema: input,
      output_schema: output,
    },
  };
}

function definitionOf(values: EditorValues, errors: FieldMessages): AgentDefinition | null {
  if (values.instructions.trim() === "") {
    errors.instructions = "Write the agent's instructions.";
  }
  const settings = {
    temperature: optionalNumber(values.temperature, "temperature", errors),
    top_p: optionalNumber(values.topP, "topP", errors),
    max_tokens: optionalNumber(values.maxTokens, "maxTokens", errors),
    thinking_budget: optionalNumber(values.thinkingBudget, "thinkingBudget", errors),
  };
  if (values.providerId !== "" && values.model.trim() === "") {
    errors.model = "Name the model this provider runs.";
  }
  const advanced = parseAdvanced(values.advanced);
  if ("error" in advanced) {
    errors.advanced = advanced.error;
  }
  if (Object.keys(errors).length > 0 || "error" in advanced) {
    return null;
  }
  return {
    instructions: values.instructions,
    model:
      values.providerId === ""
        ? null
        : { provider_id: values.providerId, model: values.model.trim(), settings },
    tools: values.tools,
    ...advanced.fields,
  };
}

/**
 * The PATCH that saves what changed, based on the version the form was loaded from; or
 * the messages of fields that cannot be saved as they are.
 */
export function saveRequest(
  saved: EditorValues,
  values: EditorValues,
  expectedVersion: number,
): SaveRequest {
  const changed = changedFields(saved, values);
  const errors: FieldMessages = {};
  const body: AgentUpdate = { expected_version: expectedVersion };
  if (changed.includes("name")) {
    body.name = values.name.trim();
    if (body.name === "") {
      errors.name = "Give the agent a name.";
    }
  }
  if (changed.includes("description")) {
    body.description = values.description;
  }
  if (changed.includes("tags")) {
    body.tags = tagsOf(values.tags);
  }
  if (changed.includes("status")) {
    body.status = values.status;
  }
  if (changed.some((field) => DEFINITION_FIELDS.includes(field))) {
    body.definition = definitionOf(values, errors);
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, body };
}

const SETTING_FIELDS: Record<string, EditorField> = {
  temperature: "temperature",
  top_p: "topP",
  max_tokens: "maxTokens",
  thinking_budget: "thinkingBudget",
};

/** The form field a JSON pointer into the PATCH body names, if the form shows it. */
export function fieldAt(pointer: string): EditorField | null {
  const [top, part, sub, setting] = pointer.replace(/^#\//, "").split("/");
  if (top === "name" || top === "description" || top === "tags" || top === "status") {
    return top;
  }
  if (top !== "definition") {
    return null;
  }
  switch (part) {
    case "instructions":
      return "instructions";
    case "tools":
      return "tools";
    case "model":
      if (sub === "provider_id") {
        return "providerId";
      }
      return sub === "settings" && setting ? (SETTING_FIELDS[setting] ?? "model") : "model";
    case "mcp_servers":
    case "input_schema":
    case "output_schema":
      return "advanced";
    default:
      return null;
  }
}

export interface SaveErrors {
  fields: FieldMessages;
  /** What goes above the form: a problem that names no field the form shows. */
  message: string | null;
  requestId: string | null;
}

/** Places a failed save's problem: field errors by their fields, the rest above the form. */
function saveErrors(error: unknown): SaveErrors {
  if (error === null || error === undefined) {
    return { fields: {}, message: null, requestId: null };
  }
  if (!(error instanceof ApiProblem)) {
    return { fields: {}, message: "Something went wrong. Please try again.", requestId: null };
  }
  const fields: FieldMessages = {};
  const elsewhere: string[] = [];
  for (const item of error.problem.errors ?? []) {
    const field = item.pointer ? fieldAt(item.pointer) : null;
    if (field === null) {
      elsewhere.push(item.message);
    } else {
      fields[field] ??= item.message;
    }
  }
  const placed = Object.keys(fields).length > 0;
  let message: string | null = error.problem.detail;
  if (placed) {
    message = elsewhere.length > 0 ? elsewhere.join(" ") : "Please correct the highlighted fields.";
  } else if (elsewhere.length > 0 && error.code === "validation-failed") {
    message = elsewhere.join(" ");
  }
  return { fields, message, requestId: error.requestId };
}

/**
 * Whether a problem says that someone else changed the agent since the form was loaded:
 * a 409 that is not about one of the form's fields (such as a taken name).
 */
function isConcurrentChange(error: unknown): error is ApiProblem {
  return (
    error instanceof ApiProblem &&
    error.status === 409 &&
    !(error.problem.errors ?? []).some((item) => item.pointer && fieldAt(item.pointer))
  );
}

/** How a failed save shows: someone else's change, the plan's limit, or its errors. */
export interface SaveFailure {
  /** Someone saved a version since the edits started: the form offers to reload. */
  conflict: ApiProblem | null;
  planLimit: PlanLimit | null;
  /** Every other failure, by field and above the form. */
  errors: SaveErrors;
}

export function saveFailure(error: unknown): SaveFailure {
  const conflict = isConcurrentChange(error) ? error : null;
  const planLimit = planLimitOf(error);
  return { conflict, planLimit, errors: saveErrors(conflict || planLimit ? null : error) };
}
