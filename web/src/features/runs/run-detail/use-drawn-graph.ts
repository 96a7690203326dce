import { useCallback, useMemo, useState } from "react";

import {
  drawnGraph,
  groupsBySequence,
  repeatedCalls,
  withGroupsOpened,
  type RepeatedCalls,
} from "./graph-groups";
import type { StepGraph } from "./graph-model";

/**
 * The graph as drawn, with its groups of repeated calls and which of them are expanded;
 * `toggle` expands or collapses one.
 */
export function useDrawnGraph(graph: StepGraph, revealed: readonly (number | null)[]) {
  const groups = useMemo(() => repeatedCalls(graph.steps), [graph.steps]);
  const { expanded, toggle } = useExpandedGroups(groups, revealed);
  const drawn = useMemo(() => drawnGraph(graph, groups, expanded), [graph, groups, expanded]);
  return { drawn, groups, expanded, toggle };
}

/**
 * Which groups of repeated calls are open: those the reader expanded, and the group of a
 * step in `revealed` (the selected step, the step a replay reached) when that step
 * changes, since a step inside a closed group cannot be seen. A group stays open until the
 * reader collapses it.
 */
function useExpandedGroups(groups: readonly RepeatedCalls[], revealed: readonly (number | null)[]) {
  const bySequence = useMemo(() => groupsBySequence(groups), [groups]);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() =>
    withGroupsOpened(new Set(), bySequence, revealed),
  );
  // Opening a group as the selection moves is adjusting state to a prop during render;
  // only a step that moved opens its group, so that the reader can close the others.
  const [lastRevealed, setLastRevealed] = useState(revealed);
  const changed =
    revealed.length !== lastRevealed.length ||
    revealed.some((sequence, index) => sequence !== lastRevealed[index]);
  if (changed) {
    const moved = revealed.filter((sequence, index) => sequence !== lastRevealed[index]);
    setLastRevealed(revealed);
    setExpanded(withGroupsOpened(expanded, bySequence, moved));
  }
  const toggle = useCallback((groupId: string) => {
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(groupId)) {
        next.add(groupId);
      }
      return next;
    });
  }, []);
  return { expanded, toggle };
}
