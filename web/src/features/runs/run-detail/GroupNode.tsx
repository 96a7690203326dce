import type { NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";

import { classNames } from "../../../lib/class-names";
import { formatCount, formatLatency } from "../run-format";
import { summariseGroup, type GroupSummary } from "./graph-groups";
import type { GroupFlowNode } from "./graph-layout";
import { NodeHandles } from "./NodeHandles";
import { STEP_KIND_ACCENTS } from "./step-kinds";

/**
 * Many calls of one tool by one model request, drawn as one node: the tool, how many
 * calls, how they went, their quickest and slowest time and their tokens. The node is a
 * button that expands the group (the graph's node click handler does it), so that Enter
 * or Space on it does what a click does.
 */
function GroupNodeView({
  data,
  selected,
  sourcePosition,
  targetPosition,
}: NodeProps<GroupFlowNode>) {
  const { group, current, upToSequence } = data;
  const summary = useMemo(() => summariseGroup(group, upToSequence), [group, upToSequence]);
  const first = group.steps[0]?.sequence ?? 0;
  const last = group.steps.at(-1)?.sequence ?? 0;
  return (
    <NodeHandles sourcePosition={sourcePosition} targetPosition={targetPosition}>
      <button
        type="button"
        data-testid="graph-group"
        data-group-id={group.id}
        data-tool={group.toolName}
        data-count={summary.calls}
        data-first-sequence={first}
        aria-expanded={false}
        className={classNames(
          "flex size-full flex-col gap-1 rounded-xl border border-l-4 border-white/12 bg-night-raised/95 px-3 py-2 text-left",
          "shadow-[5px_5px_0_-1px_rgb(26_26_56),5px_5px_0_0_rgb(255_255_255/0.12)]",
          "transition-colors hover:bg-[#1a1a38] focus-visible:outline-2 focus-visible:outline-halo",
          STEP_KIND_ACCENTS.tool_call,
          summary.errors > 0 && "ring-2 ring-rose-400/80",
          selected && "bg-[#1d1b42] outline-2 outline-luna-300",
          current && "ring-4 ring-halo/60",
        )}
      >
        <span className="flex items-center gap-2 text-xs font-semibold">
          <span className="truncate">Tool calls</span>{" "}
          <span className="ml-auto shrink-0 font-mono text-[11px] font-normal text-slate-400">
            #{first}–{last}
          </span>
        </span>{" "}
        <span className="flex items-center gap-2 text-xs text-slate-200">
          <span className="truncate">
            <span className="font-semibold text-white">{group.toolName}</span> ×
            {formatCount(summary.calls)}
          </span>{" "}
          <span className="ml-auto shrink-0 text-[11px] font-medium text-luna-200">
            Expand <span aria-hidden="true">▸</span>
          </span>
        </span>{" "}
        <GroupFigures summary={summary} />{" "}
        <span className="flex gap-2 text-[11px] tabular-nums">
          <span data-field="ok" data-value={summary.ok} className="text-emerald-200">
            {formatCount(summary.ok)} ok
          </span>{" "}
          <span
            data-field="errors"
            data-value={summary.errors}
            className={summary.errors > 0 ? "text-rose-200" : "text-slate-400"}
          >
            {formatCount(summary.errors)} failed
          </span>{" "}
          {summary.waiting > 0 && (
            <span data-field="waiting" data-value={summary.waiting} className="text-amber-200">
              {formatCount(summary.waiting)} waiting
            </span>
          )}
        </span>
      </button>
    </NodeHandles>
  );
}

function latencyRange({ fastestMs, slowestMs }: GroupSummary): string {
  if (fastestMs === null || slowestMs === null) {
    return "–";
  }
  return fastestMs === slowestMs
    ? formatLatency(fastestMs)
    : `${formatLatency(fastestMs)}–${formatLatency(slowestMs)}`;
}

/**
 * The group's time range and tokens, each in an element with `data-field`
 * (`latency-range`, `tokens-in`, `tokens-out`) whose `data-value` is the number behind it;
 * the outcomes below are in `ok`, `errors` and `waiting`.
 */
function GroupFigures({ summary }: { summary: GroupSummary }) {
  return (
    <dl className="grid grid-cols-4 gap-x-2 text-[11px] tabular-nums">
      <GroupFigure
        label="Time"
        field="latency-range"
        value={`${summary.fastestMs ?? ""}-${summary.slowestMs ?? ""}`}
        wide
      >
        {latencyRange(summary)}
      </GroupFigure>
      <GroupFigure label="In" field="tokens-in" value={summary.tokensIn}>
        {formatCount(summary.tokensIn)}
      </GroupFigure>
      <GroupFigure label="Out" field="tokens-out" value={summary.tokensOut}>
        {formatCount(summary.tokensOut)}
      </GroupFigure>
    </dl>
  );
}

interface GroupFigureProps {
  label: string;
  field: string;
  value: string | number;
  /** Two columns wide. */
  wide?: boolean;
  children: string;
}

function GroupFigure({ label, field, value, wide = false, children }: GroupFigureProps) {
  return (
    <div className={classNames("min-w-0", wide && "col-span-2")}>
      <dt className="truncate text-slate-400">{label}</dt>
      <dd data-field={field} data-value={value} className="truncate text-slate-100">
        {children}
      </dd>
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);
