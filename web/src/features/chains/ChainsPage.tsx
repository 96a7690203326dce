import { Plus, Users, Workflow } from "lucide-react";
import { useState } from "react";
import { Link, useNavigate } from "react-router";

import { Badge } from "../../components/ui/Badge";
import { Button, buttonClasses } from "../../components/ui/Button";
import { CursorPager } from "../../components/ui/CursorPager";
import { Dialog } from "../../components/ui/Dialog";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { formatRelative } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import { useCursorParam } from "../../lib/use-cursor-param";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { useChains, useCreateFromPreset, usePresets, type ChainPreset } from "./hooks";
import { STRATEGIES, SwarmDialog } from "./SwarmDialog";

/**
 * `/w/:workspaceId/chains`: the workspace's chains of agents, and the presets to start
 * one from. The page of chains is kept in the address (`?cursor=`).
 */
export function ChainsPage() {
  const { workspace, team } = useCurrentWorkspace();
  const canWrite = team.role !== "viewer";
  const { cursors, cursor, moveCursors } = useCursorParam();
  const chains = useChains(workspace.id, cursor);
  const [choosing, setChoosing] = useState(false);
  const [swarming, setSwarming] = useState(false);
  const base = `/w/${workspace.id}`;

  const newButton = canWrite ? (
    <div className="flex flex-wrap gap-2">
      <Button
        variant="secondary"
        onClick={() => {
          setSwarming(true);
        }}
      >
        <Users aria-hidden="true" className="size-4" />
        New swarm
      </Button>
      <Button
        variant="secondary"
        onClick={() => {
          setChoosing(true);
        }}
      >
        From a preset
      </Button>
      <Link to={`${base}/chains/new`} className={buttonClasses("primary")}>
        <Plus aria-hidden="true" className="size-4" />
        New chain
      </Link>
    </div>
  ) : undefined;

  return (
    <>
      <title>{`Chains · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="Chains"
        description="Agents that hand their work to each other, or take on the same input together."
        actions={newButton}
      />
      {chains.isPending ? (
        <TableSkeleton label="Loading chains" />
      ) : chains.isError ? (
        <ErrorState
          title="The chains could not be loaded"
          message={chains.error.message}
          onRetry={() => void chains.refetch()}
          retrying={chains.isFetching}
        />
      ) : chains.data.items.length === 0 ? (
        <EmptyState
          title="No chains yet"
          action={
            canWrite && (
              <Button
                variant="secondary"
                onClick={() => {
                  setChoosing(true);
                }}
              >
                Start from a preset
              </Button>
            )
          }
        >
          A chain runs several agents as one: each hands its answer to the next.
        </EmptyState>
      ) : (
        <ul className="grid gap-4 md:grid-cols-2" aria-label="Chains">
          {chains.data.items.map((chain) => (
            <li key={chain.id}>
              <Link
                to={`${base}/chains/${chain.id}`}
                className="glass flex h-full flex-col gap-2 rounded-2xl p-5 transition-colors hover:bg-white/5 focus-visible:outline-2 focus-visible:outline-halo"
              >
                <span className="flex items-center gap-2 font-semibold text-white">
                  {chain.strategy === "graph" ? (
                    <Workflow aria-hidden="true" className="size-4 text-luna-300" />
                  ) : (
                    <Users aria-hidden="true" className="size-4 text-luna-300" />
                  )}
                  {chain.name}
                  {chain.strategy !== "graph" && (
                    <Badge tone="brand">{STRATEGIES[chain.strategy].label}</Badge>
                  )}
                </span>
                {chain.description && (
                  <span className="text-sm text-slate-300">{chain.description}</span>
                )}
                <span className="mt-auto text-xs text-slate-400">
                  {chain.node_count} {chain.node_count === 1 ? "agent" : "agents"} · version{" "}
                  {chain.current_version} · updated {formatRelative(chain.updated_at)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {chains.data && (
        <CursorPager
          of="chains"
          cursors={cursors}
          nextCursor={chains.data.next_cursor}
          loading={chains.isPlaceholderData}
          onCursorsChange={moveCursors}
        />
      )}
      {swarming && (
        <SwarmDialog
          workspaceId={workspace.id}
          onClose={() => {
            setSwarming(false);
          }}
        />
      )}
      {choosing && (
        <PresetDialog
          workspaceId={workspace.id}
          onClose={() => {
            setChoosing(false);
          }}
        />
      )}
    </>
  );
}

function PresetDialog({ workspaceId, onClose }: { workspaceId: string; onClose: () => void }) {
  const presets = usePresets();
  const create = useCreateFromPreset(workspaceId);
  const navigate = useNavigate();
  const errors = formErrors(create.error, []);

  function choose(preset: ChainPreset) {
    create.mutate(preset.slug, {
      onSuccess: (chain) => {
        void navigate(`/w/${workspaceId}/chains/${chain.id}`);
      },
    });
  }

  return (
    <Dialog
      open
      size="lg"
      title="Start from a preset"
      description="The catalog agents a preset needs are added to the workspace."
      onClose={onClose}
      dismissible={!create.isPending}
    >
      <FormAlert message={errors.message} requestId={errors.requestId} />
      {presets.isPending ? (
        <TableSkeleton label="Loading presets" />
      ) : presets.isError ? (
        <ErrorState title="The presets could not be loaded" message={presets.error.message} />
      ) : (
        <ul className="space-y-3" aria-label="Presets">
          {presets.data.items.map((preset) => (
            <li
              key={preset.slug}
              className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-white/10 p-4"
            >
              <div className="min-w-0">
                <p className="font-medium text-white">{preset.name}</p>
                <p className="text-sm text-slate-300">{preset.description}</p>
                <p className="mt-1 font-mono text-xs break-words text-slate-400">
                  {preset.definition.nodes.map((node) => node.template).join(" → ")}
                </p>
              </div>
              <Button
                variant="secondary"
                size="sm"
                loading={create.isPending && create.variables === preset.slug}
                disabled={create.isPending}
                aria-label={`Use ${preset.name}`}
                onClick={() => {
                  choose(preset);
                }}
              >
                Use
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
