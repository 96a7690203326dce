/**
 * An agent definition as text that diffs well: the instructions as their own lines, and
 * everything else as JSON with its keys in a stable order, so that two versions differ
 * only where their contents do.
 */
import type { AgentDefinition } from "./hooks";

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortedKeys);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => [key, sortedKeys(item)]),
    );
  }
  return value;
}

/** JSON, two spaces deep, with every object's keys in alphabetical order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value), null, 2);
}

export interface DefinitionText {
  instructions: string;
  /** Model, tools, MCP servers and schemas: the definition without its instructions. */
  settings: string;
}

export function definitionText(definition: AgentDefinition): DefinitionText {
  const { instructions, ...settings } = definition;
  return { instructions, settings: stableJson(settings) };
}
