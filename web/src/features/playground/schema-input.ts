/**
 * A run input for an agent with an input schema: a form of the schema's top-level
 * properties (text, long text, numbers, a choice, a yes/no, JSON for nested values), or the
 * whole object as JSON. The server checks the object against the schema; this builds it.
 */

export type JsonSchema = Record<string, unknown>;

export type FieldKind = "text" | "long-text" | "number" | "integer" | "boolean" | "choice" | "json";

export interface InputField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description: string | null;
  /** The allowed values of a choice. */
  options: string[];
}

export type InputMode = "form" | "json";

export interface StructuredInputState {
  mode: InputMode;
  /** Each field's text (a checkbox's true or false), by property name. */
  values: Record<string, string | boolean>;
  json: string;
}

export type BuiltInput =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string; fields: Record<string, string> };

const LONG_TEXT = 200;

/** The form's fields, or null when the schema is not an object of named properties. */
export function fieldsOf(schema: JsonSchema): InputField[] | null {
  const properties = schema.properties;
  if (schema.type !== "object" || !isRecord(properties) || Object.keys(properties).length === 0) {
    return null;
  }
  const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
  return Object.entries(properties).map(([name, property]) => {
    const described = isRecord(property) ? property : {};
    const title = typeof described.title === "string" ? described.title : null;
    return {
      name,
      label: title ?? humanise(name),
      kind: kindOf(described),
      required: required.includes(name),
      description: typeof described.description === "string" ? described.description : null,
      options: Array.isArray(described.enum) ? described.enum.map(String) : [],
    };
  });
}

/** A fresh input: the form when the schema has one, else JSON of an empty object. */
export function initialInput(schema: JsonSchema): StructuredInputState {
  const fields = fieldsOf(schema);
  const values: Record<string, string | boolean> = {};
  for (const field of fields ?? []) {
    values[field.name] = field.kind === "boolean" ? false : (field.options[0] ?? "");
    if (field.kind === "choice" && !field.required) {
      values[field.name] = "";
    }
  }
  return { mode: fields ? "form" : "json", values, json: "{}" };
}

/** The input object the state stands for, or what is wrong with it. */
export function buildInput(schema: JsonSchema, state: StructuredInputState): BuiltInput {
  if (state.mode === "json") {
    return parseObject(state.json);
  }
  const { value, problems: fields } = readForm(schema, state);
  if (Object.keys(fields).length > 0) {
    return { ok: false, message: "Correct the highlighted fields.", fields };
  }
  return { ok: true, value };
}

/** The state switched to `mode`, carrying what was typed across when it can. */
export function switchMode(
  schema: JsonSchema,
  state: StructuredInputState,
  mode: InputMode,
): StructuredInputState {
  if (mode === state.mode) {
    return state;
  }
  if (mode === "json") {
    return { ...state, mode, json: JSON.stringify(readForm(schema, state).value, null, 2) };
  }
  const parsed = parseObject(state.json);
  const values = { ...state.values };
  if (parsed.ok) {
    for (const field of fieldsOf(schema) ?? []) {
      const item = parsed.value[field.name];
      if (item === undefined) {
        continue;
      }
      values[field.name] =
        field.kind === "boolean"
          ? item === true
          : field.kind === "json" || typeof item !== "string"
            ? typeof item === "string"
              ? item
              : JSON.stringify(item)
            : item;
    }
  }
  return { ...state, mode, values };
}

/**
 * What the form holds as an object, and each field's problem: a required field left empty
 * is "" (so that the JSON view shows it) and a malformed one keeps its text.
 */
function readForm(
  schema: JsonSchema,
  state: StructuredInputState,
): { value: Record<string, unknown>; problems: Record<string, string> } {
  const value: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const field of fieldsOf(schema) ?? []) {
    const raw = state.values[field.name];
    if (field.kind === "boolean") {
      value[field.name] = raw === true;
      continue;
    }
    const text = typeof raw === "string" ? raw : "";
    if (text.trim() === "") {
      if (field.required) {
        value[field.name] = "";
        problems[field.name] = "Required.";
      }
      continue;
    }
    const parsed = parseField(field, text);
    if ("error" in parsed) {
      problems[field.name] = parsed.error;
    }
    value[field.name] = "error" in parsed ? text : parsed.value;
  }
  return { value, problems };
}

function parseField(field: InputField, text: string): { value: unknown } | { error: string } {
  switch (field.kind) {
    case "number":
    case "integer": {
      const number = Number(text);
      if (!Number.isFinite(number) || (field.kind === "integer" && !Number.isInteger(number))) {
        return { error: field.kind === "integer" ? "A whole number." : "A number." };
      }
      return { value: number };
    }
    case "json":
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return { error: "Not valid JSON." };
      }
    default:
      return { value: text };
  }
}

function parseObject(text: string): BuiltInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: "The input is not valid JSON.", fields: {} };
  }
  if (!isRecord(value)) {
    return { ok: false, message: "The input must be a JSON object.", fields: {} };
  }
  return { ok: true, value };
}

function kindOf(property: Record<string, unknown>): FieldKind {
  if (Array.isArray(property.enum) && property.enum.every((item) => typeof item === "string")) {
    return "choice";
  }
  switch (property.type) {
    case "string":
      return typeof property.maxLength === "number" && property.maxLength <= LONG_TEXT
        ? "text"
        : "long-text";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    default:
      return "json";
  }
}

function humanise(name: string): string {
  const words = name
    .replace(/[_-]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
