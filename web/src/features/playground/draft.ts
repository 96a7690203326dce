/**
 * The playground's draft of an agent's definition: whether it differs from the saved
 * version, the definition a run sends in its place (`draft`), and the PATCH that saves it
 * as a new version. The editor's form logic decides what changed and what is valid.
 */
import type { AgentDefinition, AgentUpdate } from "../agents/editor/hooks";
import {
  changedFields,
  saveRequest,
  type EditorValues,
  type FieldMessages,
} from "../agents/editor/editor-form";

export type PlaygroundDraft =
  /** The draft is the saved version: runs run the agent as it is. */
  | { state: "saved" }
  /** Changed: runs send `definition` as their draft; `save` makes it a new version. */
  | { state: "changed"; definition: AgentDefinition; save: AgentUpdate }
  /** Changed, but not runnable as it is (an empty instruction, a model without a name). */
  | { state: "invalid"; errors: FieldMessages };

/** The draft of `values`, edited from the saved `saved` of version `version`. */
export function draftOf(
  saved: EditorValues,
  values: EditorValues,
  version: number,
): PlaygroundDraft {
  if (changedFields(saved, values).length === 0) {
    return { state: "saved" };
  }
  const request = saveRequest(saved, values, version);
  if (!request.ok) {
    return { state: "invalid", errors: request.errors };
  }
  const { definition } = request.body;
  // The playground edits the definition only: a change without one changes nothing it runs.
  return definition ? { state: "changed", definition, save: request.body } : { state: "saved" };
}

/** What a run of the draft adds to its request: the draft definition when it differs. */
export function draftRunFields(draft: PlaygroundDraft): { draft?: AgentDefinition } {
  return draft.state === "changed" ? { draft: draft.definition } : {};
}
