import "@xyflow/react/dist/style.css";

import {
  Background,
  BackgroundVariant,
  Controls,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type NodeProps,
} from "@xyflow/react";
import { GripVertical, Hand, Plus, Trash2 } from "lucide-react";
import { memo, useCallback, useMemo, useState, type DragEvent, type SubmitEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button, buttonClasses } from "../../components/ui/Button";
import { CheckboxField } from "../../components/ui/CheckboxField";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { SelectField } from "../../components/ui/SelectField";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { TextField } from "../../components/ui/TextField";
import { classNames } from "../../lib/class-names";
import { formErrors } from "../../lib/form-errors";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { CHAIN_NODE_HEIGHT, CHAIN_NODE_WIDTH, layoutChain } from "./chain-layout";
import {
  connect,
  definitionErrors,
  freshNodeId,
  fromDefinition,
  nodeIdProblem,
  removeNode,
  renameNode,
  toDefinition,
  type Draft,
  type DraftNode,
} from "./chain-draft";
import { useActiveAgents, useChain, useSaveChain, type Chain } from "./hooks";

const AGENT_MIME = "application/x-luna-agent";
const EMPTY: Draft = { nodes: [], edges: [] };

/**
 * `/w/:workspaceId/chains/new` and `.../chains/:chainId/edit`: a chain drawn on a canvas.
 * Agents are dragged in from the list (or added with its buttons), connected output to
 * input, and given a prompt and an approval pause in the panel of the selected node.
 * Saving makes the chain, or its next version; what the server refuses is shown on the
 * node it concerns.
 */
export function ChainEditorPage() {
  const { chainId } = useParams();
  const { workspace } = useCurrentWorkspace();
  const chain = useChain(workspace.id, chainId ?? "");
  if (chainId && chain.isPending) {
    return <TableSkeleton label="Loading the chain" />;
  }
  if (chainId && chain.isError) {
    return <ErrorState title="This chain could not be loaded" message={chain.error.message} />;
  }
  return (
    <ReactFlowProvider>
      <Editor workspaceId={workspace.id} chain={chainId ? (chain.data ?? null) : null} />
    </ReactFlowProvider>
  );
}

function initialDraft(chain: Chain | null): Draft {
  if (!chain) return EMPTY;
  const places = new Map(layoutChain(chain.definition).map((p) => [p.id, { x: p.x, y: p.y }]));
  return fromDefinition(chain.definition, places);
}

function Editor({ workspaceId, chain }: { workspaceId: string; chain: Chain | null }) {
  const agents = useActiveAgents(workspaceId);
  const save = useSaveChain(workspaceId, chain?.id ?? null);
  const navigate = useNavigate();
  const flow = useReactFlow();
  const [draft, setDraft] = useState<Draft>(() => initialDraft(chain));
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState(chain?.name ?? "");
  const names = useMemo(() => agents.data ?? new Map<string, string>(), [agents.data]);
  const problems = useMemo(() => {
    const error = save.error;
    return error instanceof ApiProblem
      ? definitionErrors(error.problem.errors ?? [])
      : { byNode: new Map<number, string>(), graph: [] };
  }, [save.error]);
  const errors = formErrors(save.error, ["name"]);

  const addAgent = useCallback(
    (agentId: string, position?: { x: number; y: number }) => {
      setDraft((current) => {
        const taken = new Set(current.nodes.map((node) => node.id));
        const id = freshNodeId(names.get(agentId) ?? "node", taken);
        const count = current.nodes.length;
        const place = position ?? { x: count * (CHAIN_NODE_WIDTH + 80), y: (count % 2) * 60 };
        const node: DraftNode = { id, agentId, prompt: "", approval: false, position: place };
        setSelected(id);
        return { ...current, nodes: [...current.nodes, node] };
      });
      // Keep every node in sight once the new one is drawn.
      window.setTimeout(() => {
        void flow.fitView({ padding: 0.3, maxZoom: 1, duration: 150 });
      }, 0);
    },
    [names, flow],
  );

  const nodes = useMemo<EditorFlowNode[]>(
    () =>
      draft.nodes.map((node, index) => ({
        id: node.id,
        type: "editorNode",
        position: node.position,
        width: CHAIN_NODE_WIDTH,
        height: CHAIN_NODE_HEIGHT,
        selected: node.id === selected,
        data: {
          nodeId: node.id,
          agentName: names.get(node.agentId) ?? "Choose an agent",
          approval: node.approval,
          error: problems.byNode.get(index) ?? null,
        },
      })),
    [draft.nodes, names, problems, selected],
  );
  const edges = useMemo<Edge[]>(
    () =>
      draft.edges.map((edge) => ({
        id: `${edge.source}->${edge.target}`,
        source: edge.source,
        target: edge.target,
      })),
    [draft.edges],
  );

  const onNodesChange = useCallback((changes: NodeChange<EditorFlowNode>[]) => {
    for (const change of changes) {
      if (change.type === "position" && change.position) {
        const { id, position } = change;
        setDraft((current) => ({
          ...current,
          nodes: current.nodes.map((node) => (node.id === id ? { ...node, position } : node)),
        }));
      } else if (change.type === "select" && change.selected) {
        setSelected(change.id);
      } else if (change.type === "remove") {
        setDraft((current) => removeNode(current, change.id));
        setSelected(null);
      }
    }
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const removed = new Set(changes.filter((c) => c.type === "remove").map((c) => c.id));
    if (removed.size) {
      setDraft((current) => ({
        ...current,
        edges: current.edges.filter((e) => !removed.has(`${e.source}->${e.target}`)),
      }));
    }
  }, []);
  const onConnect = useCallback((connection: Connection) => {
    setDraft((current) => connect(current, connection.source, connection.target));
  }, []);

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    const agentId = event.dataTransfer.getData(AGENT_MIME);
    if (!agentId) return;
    const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addAgent(agentId, { x: at.x - CHAIN_NODE_WIDTH / 2, y: at.y - CHAIN_NODE_HEIGHT / 2 });
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(
      {
        name: name.trim(),
        definition: toDefinition(draft, chain?.definition),
        expected_version: chain?.current_version,
      },
      {
        onSuccess: (saved) => {
          void navigate(`/w/${workspaceId}/chains/${saved.id}`);
        },
      },
    );
  }

  const chosen = draft.nodes.find((node) => node.id === selected) ?? null;
  return (
    <>
      <title>{`${chain ? `Edit ${chain.name}` : "New chain"} · Luna`}</title>
      <PageHeader
        title={chain ? `Edit ${chain.name}` : "New chain"}
        description="Drag agents onto the canvas and connect each one's output to the next one's input."
      />
      <form onSubmit={submit} className="space-y-5">
        <FormAlert
          message={problems.graph.length ? problems.graph.join(" ") : errors.message}
          requestId={errors.requestId}
        />
        <div className="flex flex-wrap items-end gap-3">
          <div className="min-w-64 flex-1">
            <TextField
              label="Name"
              name="name"
              required
              maxLength={100}
              value={name}
              onChange={(event) => {
                setName(event.target.value);
              }}
              error={errors.fields.name}
            />
          </div>
          <Button type="submit" loading={save.isPending} disabled={draft.nodes.length === 0}>
            {chain ? "Save a new version" : "Save chain"}
          </Button>
          <Link
            to={chain ? `/w/${workspaceId}/chains/${chain.id}` : `/w/${workspaceId}/chains`}
            className={buttonClasses("ghost")}
          >
            Cancel
          </Link>
        </div>
        <div className="grid gap-4 lg:grid-cols-[14rem_1fr_18rem]">
          <AgentPalette agents={names} onAdd={addAgent} loading={agents.isPending} />
          <div
            className="glass h-[28rem] overflow-hidden rounded-2xl"
            onDragOver={(event) => {
              event.preventDefault();
              event.dataTransfer.dropEffect = "copy";
            }}
            onDrop={onDrop}
            data-testid="chain-canvas"
          >
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={EDITOR_NODE_TYPES}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onPaneClick={() => {
                setSelected(null);
              }}
              deleteKeyCode={["Delete", "Backspace"]}
              fitView
              fitViewOptions={{ padding: 0.3, maxZoom: 1 }}
              minZoom={0.2}
              maxZoom={1.5}
              colorMode="dark"
              proOptions={{ hideAttribution: true }}
              className="run-canvas"
              aria-label="The chain's canvas"
            >
              <Background variant={BackgroundVariant.Dots} gap={22} size={1.2} color="#ffffff1f" />
              <Controls showInteractive={false} />
              {draft.nodes.length === 0 && (
                <div className="pointer-events-none absolute inset-0 grid place-items-center p-6 text-center text-sm text-slate-400">
                  Drag an agent here, or press its + button.
                </div>
              )}
            </ReactFlow>
          </div>
          {chosen ? (
            <NodePanel
              key={chosen.id}
              node={chosen}
              draft={draft}
              agents={names}
              error={problems.byNode.get(draft.nodes.indexOf(chosen)) ?? null}
              onChange={(next) => {
                setDraft(next);
              }}
              onRename={(to) => {
                setDraft((current) => renameNode(current, chosen.id, to));
                setSelected(to);
              }}
              onRemove={() => {
                setDraft((current) => removeNode(current, chosen.id));
                setSelected(null);
              }}
            />
          ) : (
            <p className="glass self-start rounded-2xl p-4 text-sm text-slate-400">
              Select a node to set what it is asked and whether it waits for approval.
            </p>
          )}
        </div>
      </form>
    </>
  );
}

function AgentPalette({
  agents,
  onAdd,
  loading,
}: {
  agents: ReadonlyMap<string, string>;
  onAdd: (agentId: string) => void;
  loading: boolean;
}) {
  if (loading) return <TableSkeleton label="Loading agents" />;
  if (agents.size === 0) {
    return (
      <Alert tone="info" title="No agents yet">
        Create an agent first; a chain is made of the workspace&apos;s agents.
      </Alert>
    );
  }
  return (
    <ul className="glass space-y-1 self-start rounded-2xl p-2" aria-label="Agents to add">
      {[...agents.entries()].map(([id, agentName]) => (
        <li
          key={id}
          draggable
          onDragStart={(event) => {
            event.dataTransfer.setData(AGENT_MIME, id);
            event.dataTransfer.effectAllowed = "copy";
          }}
          className="flex cursor-grab items-center gap-2 rounded-lg px-2 py-1.5 text-sm text-slate-200 hover:bg-white/5"
          data-testid="palette-agent"
        >
          <GripVertical aria-hidden="true" className="size-4 shrink-0 text-slate-500" />
          <span className="min-w-0 flex-1 truncate">{agentName}</span>
          <button
            type="button"
            className="rounded-md p-1 text-slate-300 hover:bg-white/10 hover:text-white focus-visible:outline-2 focus-visible:outline-halo"
            aria-label={`Add ${agentName} to the chain`}
            onClick={() => {
              onAdd(id);
            }}
          >
            <Plus aria-hidden="true" className="size-4" />
          </button>
        </li>
      ))}
    </ul>
  );
}

function NodePanel({
  node,
  draft,
  agents,
  error,
  onChange,
  onRename,
  onRemove,
}: {
  node: DraftNode;
  draft: Draft;
  agents: ReadonlyMap<string, string>;
  error: string | null;
  onChange: (draft: Draft) => void;
  onRename: (id: string) => void;
  onRemove: () => void;
}) {
  const [id, setId] = useState(node.id);
  const others = new Set(draft.nodes.map((n) => n.id).filter((other) => other !== node.id));
  const idProblem = id === node.id ? null : nodeIdProblem(id, others);
  const update = (changes: Partial<DraftNode>) => {
    onChange({
      ...draft,
      nodes: draft.nodes.map((n) => (n.id === node.id ? { ...n, ...changes } : n)),
    });
  };
  const feeds = draft.edges.filter((edge) => edge.source === node.id);
  const targets = draft.nodes.filter(
    (n) => n.id !== node.id && !feeds.some((edge) => edge.target === n.id),
  );
  return (
    <section className="glass space-y-4 self-start rounded-2xl p-4" aria-label={`Node ${node.id}`}>
      {error && <p className="text-sm text-rose-300">{error}</p>}
      <TextField
        label="Node id"
        value={id}
        spellCheck={false}
        onChange={(event) => {
          setId(event.target.value);
        }}
        onBlur={() => {
          if (id !== node.id && !nodeIdProblem(id, others)) onRename(id);
        }}
        error={idProblem ?? undefined}
      />
      <SelectField
        label="Agent"
        value={node.agentId}
        onChange={(event) => {
          update({ agentId: event.target.value });
        }}
      >
        {[...agents.entries()].map(([agentId, agentName]) => (
          <option key={agentId} value={agentId}>
            {agentName}
          </option>
        ))}
      </SelectField>
      <TextAreaField
        label="Prompt"
        rows={4}
        value={node.prompt}
        maxLength={20_000}
        placeholder={draft.edges.some((e) => e.target === node.id) ? "{{prev}}" : "{{input}}"}
        description="{{input}} is the chain's input, {{prev}} what the nodes before it answered, {{node.<id>}} one node's answer."
        onChange={(event) => {
          update({ prompt: event.target.value });
        }}
      />
      <CheckboxField
        label="Wait for approval before it runs"
        checked={node.approval}
        onChange={(event) => {
          update({ approval: event.target.checked });
        }}
      />
      <div className="space-y-2">
        <p className="text-sm font-medium text-slate-200">Hands its answer to</p>
        {feeds.length === 0 && <p className="text-xs text-slate-400">No node yet.</p>}
        <ul className="space-y-1">
          {feeds.map((edge) => (
            <li key={edge.target} className="flex items-center gap-2 text-sm text-slate-200">
              <span className="flex-1 font-mono">{edge.target}</span>
              <button
                type="button"
                className="rounded p-1 text-slate-400 hover:text-white"
                aria-label={`Stop handing ${node.id}'s answer to ${edge.target}`}
                onClick={() => {
                  onChange({
                    ...draft,
                    edges: draft.edges.filter((e) => e !== edge),
                  });
                }}
              >
                <Trash2 aria-hidden="true" className="size-3.5" />
              </button>
            </li>
          ))}
        </ul>
        {targets.length > 0 && (
          <SelectField
            label="Connect to"
            value=""
            onChange={(event) => {
              if (event.target.value) onChange(connect(draft, node.id, event.target.value));
            }}
          >
            <option value="">Choose a node…</option>
            {targets.map((target) => (
              <option key={target.id} value={target.id}>
                {target.id}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      <Button variant="ghost" size="sm" onClick={onRemove}>
        Remove this node
      </Button>
    </section>
  );
}

interface EditorNodeData extends Record<string, unknown> {
  nodeId: string;
  agentName: string;
  approval: boolean;
  error: string | null;
}

type EditorFlowNode = Node<EditorNodeData, "editorNode">;

function EditorNodeView({ data, selected }: NodeProps<EditorFlowNode>) {
  const { nodeId, agentName, approval, error } = data;
  return (
    <>
      <Handle
        type="target"
        position={Position.Left}
        className="!size-3 !border-2 !border-night !bg-luna-300"
        data-testid="node-input"
      />
      <div
        data-testid="editor-node"
        data-node-id={nodeId}
        className={classNames(
          "flex size-full flex-col gap-1 rounded-xl border border-l-4 bg-night-raised/95 px-3 py-2 text-left shadow-lg shadow-black/40",
          error ? "border-rose-400/70 border-l-rose-400" : "border-white/12 border-l-luna-400",
          selected && "ring-2 ring-halo",
        )}
      >
        <span className="flex items-center gap-2 text-xs font-semibold text-white">
          <span className="truncate font-mono">{nodeId}</span>
          {approval && (
            <Hand aria-label="Waits for approval" className="ml-auto size-3.5 text-amber-300" />
          )}
        </span>
        <span className="truncate text-sm text-slate-200">{agentName}</span>
        {error && (
          <span className="truncate text-xs text-rose-300" title={error} data-field="error">
            {error}
          </span>
        )}
      </div>
      <Handle
        type="source"
        position={Position.Right}
        className="!size-3 !border-2 !border-night !bg-luna-300"
        data-testid="node-output"
      />
    </>
  );
}

const EDITOR_NODE_TYPES = { editorNode: memo(EditorNodeView) };
