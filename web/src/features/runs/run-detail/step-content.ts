/**
 * What a step recorded, as sections to read: the prompt or tool returns a model request
 * sent, the thinking and text it got back, a tool's arguments and result, an error.
 * Text stays text; everything else is indented JSON.
 */
import { firstLine } from "../run-format";
import type { Step } from "./graph-model";

export interface ContentSection {
  title: string;
  format: "text" | "json";
  body: string;
}

const SECTIONS: Record<string, string> = {
  request: "Request",
  text: "Text",
  arguments: "Arguments",
  result: "Result",
  error: "Error",
  retry: "Retry asked of the model",
  reason: "Reason",
  data: "Data",
  message: "Message",
};

/** Keys shown in the step's details rather than as sections of their own. */
const DETAILS = new Set(["tool_call_id", "finish_reason", "model", "provider", "code", "status"]);

function section(title: string, value: unknown): ContentSection {
  return typeof value === "string"
    ? { title, format: "text", body: value }
    : { title, format: "json", body: JSON.stringify(value, null, 2) };
}

function titleOf(key: string): string {
  const known = SECTIONS[key];
  if (known) {
    return known;
  }
  const words = key.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The step's content as sections, in the order it was recorded. */
export function contentSections(step: Step): ContentSection[] {
  return Object.entries(step.content)
    .filter(([key, value]) => !DETAILS.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => section(titleOf(key), value));
}

export interface ContentDetail {
  label: string;
  value: string;
}

const DETAIL_LABELS: Record<string, string> = {
  tool_call_id: "Tool call id",
  finish_reason: "Finish reason",
  model: "Model",
  provider: "Provider",
  code: "Code",
  status: "HTTP status",
};

/** Short facts of the step's content: the model, the finish reason, the tool call's id. */
export function contentDetails(step: Step): ContentDetail[] {
  return Object.entries(step.content)
    .filter(([key, value]) => DETAILS.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => ({
      label: DETAIL_LABELS[key] ?? key,
      value: typeof value === "string" ? value : JSON.stringify(value),
    }));
}

const bytes = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** "512 B", "1.2 KB": the size of a value written out as JSON. */
function sizeOf(value: unknown): string {
  const length = new TextEncoder().encode(
    typeof value === "string" ? value : JSON.stringify(value),
  ).length;
  return length < 1024 ? `${String(length)} B` : `${bytes.format(length / 1024)} KB`;
}

/**
 * A step's content in one short line, for its node: the first line of a text or thinking,
 * a tool's arguments, a result's size, an error's message. Null when it has nothing to add.
 */
export function stepPreview(step: Step): string | null {
  const content = step.content as Record<string, unknown>;
  if (typeof content.error === "string") {
    return firstLine(content.error);
  }
  if (typeof content.message === "string") {
    return firstLine(content.message);
  }
  if (typeof content.text === "string") {
    return firstLine(content.text);
  }
  if (content.arguments !== undefined && content.arguments !== null) {
    return firstLine(JSON.stringify(content.arguments));
  }
  if (content.result !== undefined) {
    return `Result · ${sizeOf(content.result)}`;
  }
  if (content.data !== undefined) {
    return `Structured answer · ${sizeOf(content.data)}`;
  }
  return null;
}
