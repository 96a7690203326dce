import { Pencil, Play } from "lucide-react";
import { useState, type SubmitEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { Badge } from "../../components/ui/Badge";
import { Button, buttonClasses } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { Section } from "../../components/ui/Section";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { formatRelative } from "../../lib/dates";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { ChainRunBadge } from "./ChainRunBadge";
import { ChainGraph } from "./ChainGraph";
import { useAgentNames, useChain, useChainRuns, useStartChainRun } from "./hooks";

/** `/w/:workspaceId/chains/:chainId`: a chain's graph, a way to run it, its recent runs. */
export function ChainPage() {
  const { chainId = "" } = useParams();
  const { workspace, team } = useCurrentWorkspace();
  const chain = useChain(workspace.id, chainId);
  const names = useAgentNames(workspace.id);
  const runs = useChainRuns(workspace.id, chainId);
  const [running, setRunning] = useState(false);
  const base = `/w/${workspace.id}`;

  if (chain.isPending) {
    return <TableSkeleton label="Loading the chain" />;
  }
  if (chain.isError) {
    return (
      <>
        <PageHeader title="Chain" />
        <ErrorState
          title="This chain could not be loaded"
          message={chain.error.message}
          action={
            <Link to={`${base}/chains`} className="text-luna-300 underline">
              All chains
            </Link>
          }
        />
      </>
    );
  }
  return (
    <>
      <title>{`${chain.data.name} · Chains · Luna`}</title>
      <PageHeader
        title={chain.data.name}
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span>Version {chain.data.current_version}</span>
            {chain.data.preset && <Badge>From {chain.data.preset}</Badge>}
            {chain.data.description && <span>{chain.data.description}</span>}
          </span>
        }
        actions={
          team.role !== "viewer" && (
            <div className="flex flex-wrap gap-2">
              <Link to={`${base}/chains/${chainId}/edit`} className={buttonClasses("secondary")}>
                <Pencil aria-hidden="true" className="size-4" />
                Edit
              </Link>
              <Button
                onClick={() => {
                  setRunning(true);
                }}
              >
                <Play aria-hidden="true" className="size-4" />
                Run
              </Button>
            </div>
          )
        }
      />
      <div className="space-y-10">
        <ChainGraph
          definition={chain.data.definition}
          agentNames={names.data ?? new Map()}
          label={`The agents of ${chain.data.name}`}
        />
        <Section title="Recent runs">
          {runs.isPending ? (
            <TableSkeleton label="Loading runs" />
          ) : runs.isError ? (
            <ErrorState title="The runs could not be loaded" message={runs.error.message} />
          ) : runs.data.items.length === 0 ? (
            <p className="text-sm text-slate-400">Not run yet.</p>
          ) : (
            <ul className="glass divide-y divide-white/6 rounded-2xl" aria-label="Recent runs">
              {runs.data.items.map((run) => (
                <li key={run.id}>
                  <Link
                    to={`${base}/chain-runs/${run.id}`}
                    className="flex flex-wrap items-center gap-3 px-5 py-3 hover:bg-white/3"
                  >
                    <ChainRunBadge status={run.status} />
                    <span className="min-w-0 flex-1 truncate text-sm text-slate-200">
                      {run.input}
                    </span>
                    <span className="text-xs text-slate-400">{formatRelative(run.created_at)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
      {running && (
        <RunChainDialog
          workspaceId={workspace.id}
          chainId={chainId}
          onClose={() => {
            setRunning(false);
          }}
        />
      )}
    </>
  );
}

function RunChainDialog({
  workspaceId,
  chainId,
  onClose,
}: {
  workspaceId: string;
  chainId: string;
  onClose: () => void;
}) {
  const start = useStartChainRun(workspaceId, chainId);
  const navigate = useNavigate();
  // One key per dialog: a double submit or a retry starts one chain run.
  const [key] = useState(() => crypto.randomUUID());
  const errors = formErrors(start.error, ["input"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = textField(new FormData(event.currentTarget), "input");
    start.mutate(
      { input, key },
      {
        onSuccess: (run) => {
          void navigate(`/w/${workspaceId}/chain-runs/${run.id}`);
        },
      },
    );
  }

  return (
    <Dialog open title="Run the chain" onClose={onClose} dismissible={!start.isPending}>
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <TextAreaField
          label="Input"
          name="input"
          rows={5}
          required
          maxLength={100_000}
          description="What the first agents are asked."
          error={errors.fields.input}
        />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={start.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={start.isPending}>
            Run
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
