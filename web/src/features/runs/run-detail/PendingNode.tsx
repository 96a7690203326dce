import type { Node, NodeProps } from "@xyflow/react";
import { LoaderCircle } from "lucide-react";
import { memo } from "react";

import { useElapsed } from "../../../lib/use-elapsed";
import { formatElapsed } from "../run-format";
import { NodeHandles } from "./NodeHandles";
import type { PendingWork } from "./pending-work";

export interface PendingNodeData extends Record<string, unknown> {
  work: PendingWork;
  /** What the model has streamed so far, when it has begun to answer. */
  streaming: string | null;
}

export type PendingFlowNode = Node<PendingNodeData, "pending">;

function title(work: PendingWork, streaming: string | null): string {
  if (work.kind === "tools") {
    return work.tools.length === 1
      ? "Running a tool"
      : `Running ${String(work.tools.length)} tools`;
  }
  return streaming === null ? "Model request" : "Model answering";
}

/**
 * The work a running run is doing now: a model request counting up until its first token
 * (then the last words it streamed), or the tools it waits on. Not a step: it goes when the
 * step it becomes is stored.
 */
function PendingNodeView({ data, sourcePosition, targetPosition }: NodeProps<PendingFlowNode>) {
  const { work, streaming } = data;
  const elapsed = useElapsed(work.since, null) ?? 0;
  const detail =
    work.kind === "tools"
      ? work.tools.join(", ")
      : streaming === null
        ? "Waiting for the first token"
        : streaming.slice(-80);
  return (
    <NodeHandles sourcePosition={sourcePosition} targetPosition={targetPosition}>
      <div
        role="status"
        data-testid="pending-node"
        data-kind={work.kind}
        className="flex size-full flex-col gap-1.5 rounded-xl border border-dashed border-halo/60 bg-night-raised/80 px-3 py-2 text-left shadow-lg shadow-black/40"
      >
        <span className="flex items-center gap-2 text-xs font-semibold text-halo">
          <LoaderCircle aria-hidden="true" className="size-3.5 motion-safe:animate-spin" />
          <span className="truncate">{title(work, streaming)}</span>
          <span
            data-field="elapsed"
            data-value={elapsed}
            className="ml-auto shrink-0 font-mono text-[11px] font-normal text-slate-300 tabular-nums"
          >
            {formatElapsed(elapsed)}
          </span>
        </span>
        <span className="line-clamp-3 text-xs break-words text-slate-300">{detail}</span>
      </div>
    </NodeHandles>
  );
}

export const PendingNode = memo(PendingNodeView);
