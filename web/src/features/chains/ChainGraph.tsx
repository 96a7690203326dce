import "@xyflow/react/dist/style.css";

import {
  Background,
  BackgroundVariant,
  Handle,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import { Hand } from "lucide-react";
import { memo, useMemo } from "react";

import { classNames } from "../../lib/class-names";
import { CHAIN_NODE_HEIGHT, CHAIN_NODE_WIDTH, layoutChain } from "./chain-layout";
import type { ChainDefinition, ChainRunNode } from "./hooks";

/** A node's state in a chain run, in words. */
export const NODE_STATUS_LABELS: Record<string, string> = {
  pending: "Waiting",
  awaiting_approval: "Needs approval",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  skipped: "Skipped",
  cancelled: "Cancelled",
};

const STATUS_ACCENTS: Record<string, string> = {
  pending: "border-l-slate-500",
  awaiting_approval: "border-l-amber-400",
  running: "border-l-luna-400",
  succeeded: "border-l-emerald-400",
  failed: "border-l-rose-400",
  skipped: "border-l-slate-600",
  cancelled: "border-l-slate-600",
};

interface ChainNodeData extends Record<string, unknown> {
  nodeId: string;
  agentName: string;
  approval: boolean;
  status: string | null;
  onOpen: ((nodeId: string) => void) | null;
}

type ChainFlowNode = Node<ChainNodeData, "chainNode">;

function ChainNodeView({ data }: NodeProps<ChainFlowNode>) {
  const { nodeId, agentName, approval, status, onOpen } = data;
  // A node with a run is a button, so that Enter or Space clicks it like the mouse; the
  // graph's click handler opens the run.
  const body = (
    <>
      <span className="flex items-center gap-2 text-xs font-semibold text-white">
        <span className="truncate font-mono">{nodeId}</span>
        {approval && (
          <Hand aria-label="Pauses for approval" className="ml-auto size-3.5 text-amber-300" />
        )}
      </span>
      <span className="truncate text-sm text-slate-200">{agentName}</span>
      {status && (
        <span data-field="status" className="text-xs text-slate-400">
          {NODE_STATUS_LABELS[status] ?? status}
        </span>
      )}
    </>
  );
  const classes = classNames(
    "flex size-full flex-col gap-1 rounded-xl border border-l-4 border-white/12 bg-night-raised/95 px-3 py-2 text-left shadow-lg shadow-black/40",
    status ? STATUS_ACCENTS[status] : "border-l-luna-400",
    status === "running" && "motion-safe:animate-pulse",
  );
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="opacity-0" />
      {onOpen ? (
        <button
          type="button"
          data-testid="chain-node"
          data-node-id={nodeId}
          data-status={status ?? ""}
          className={classNames(
            classes,
            "transition-colors hover:bg-[#1a1a38] focus-visible:outline-2 focus-visible:outline-halo",
          )}
        >
          {body}
        </button>
      ) : (
        <div
          data-testid="chain-node"
          data-node-id={nodeId}
          data-status={status ?? ""}
          className={classes}
        >
          {body}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} className="opacity-0" />
    </>
  );
}

const NODE_TYPES = { chainNode: memo(ChainNodeView) };
const PRO_OPTIONS = { hideAttribution: true };

interface ChainGraphProps {
  definition: ChainDefinition;
  agentNames: ReadonlyMap<string, string>;
  /** A chain run's nodes, to show where each is; none for the chain itself. */
  runNodes?: ChainRunNode[];
  /** Called when a node that has a run is clicked. */
  onOpen?: (nodeId: string) => void;
  label: string;
}

/** A chain's nodes and edges, left to right, with each node's state in a run. */
export function ChainGraph({ definition, agentNames, runNodes, onOpen, label }: ChainGraphProps) {
  const nodes = useMemo<ChainFlowNode[]>(() => {
    const states = new Map((runNodes ?? []).map((node) => [node.node_id, node]));
    const placed = new Map(layoutChain(definition).map((place) => [place.id, place]));
    return definition.nodes.map((node) => {
      const state = states.get(node.id);
      const place = placed.get(node.id) ?? { x: 0, y: 0 };
      return {
        id: node.id,
        type: "chainNode",
        position: { x: place.x, y: place.y },
        width: CHAIN_NODE_WIDTH,
        height: CHAIN_NODE_HEIGHT,
        data: {
          nodeId: node.id,
          agentName: agentNames.get(node.agent_id ?? "") ?? "Agent",
          approval: node.approval,
          status: state?.status ?? null,
          onOpen: onOpen && state?.run_id ? onOpen : null,
        },
      };
    });
  }, [definition, agentNames, runNodes, onOpen]);
  const edges = useMemo<Edge[]>(
    () =>
      (definition.edges ?? []).map((edge) => ({
        id: `${edge.source}->${edge.target}`,
        source: edge.source,
        target: edge.target,
        animated: runNodes?.some((n) => n.node_id === edge.target && n.status === "running"),
      })),
    [definition, runNodes],
  );
  return (
    <div className="glass h-80 overflow-hidden rounded-2xl sm:h-96">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodeClick={(_event, node) => {
          node.data.onOpen?.(node.data.nodeId);
        }}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={1.5}
        colorMode="dark"
        proOptions={PRO_OPTIONS}
        className="run-canvas"
        aria-label={label}
      >
        <Background variant={BackgroundVariant.Dots} gap={22} size={1.2} color="#ffffff1f" />
      </ReactFlow>
    </div>
  );
}
