import { useEffect, useMemo, useState } from "react";

import { valuesOf, type EditorValues } from "../agents/editor/editor-form";
import type { AgentDetail } from "../agents/hooks";
import { draftOf } from "./draft";

/**
 * The draft of the agent's definition the playground edits. It starts as the agent's
 * current version; a newer version from the server replaces an untouched draft, never
 * edits. While it holds changes, leaving the page asks first.
 */
export function usePlaygroundDraft(agent: AgentDetail) {
  // `base` is the agent the edits started from: its version is the one a save expects.
  const [base, setBase] = useState(agent);
  const [values, setValues] = useState(() => valuesOf(agent));
  const saved = useMemo(() => valuesOf(base), [base]);
  const draft = draftOf(saved, values, base.current_version);
  const dirty = draft.state !== "saved";

  const startFrom = (latest: AgentDetail) => {
    setBase(latest);
    setValues(valuesOf(latest));
  };
  if (agent !== base && !dirty) {
    startFrom(agent);
  }
  useEffect(() => {
    if (!dirty) {
      return undefined;
    }
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("beforeunload", warn);
    };
  }, [dirty]);

  return {
    /** The agent the draft was edited from. */
    base,
    values,
    draft,
    dirty,
    change: (changes: Partial<EditorValues>) => {
      setValues((current) => ({ ...current, ...changes }));
    },
    /** Drops the changes: the draft is the agent's current version again. */
    discard: () => {
      startFrom(agent);
    },
    startFrom,
  };
}

export type DraftState = ReturnType<typeof usePlaygroundDraft>;
