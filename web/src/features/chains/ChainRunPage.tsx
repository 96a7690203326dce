import { useCallback } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { Section } from "../../components/ui/Section";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { formatDateTime } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import { formatCost, formatCount } from "../runs/run-format";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { ChainRunBadge } from "./ChainRunBadge";
import { ChainGraph } from "./ChainGraph";
import {
  FINISHED_CHAIN_RUN,
  useAgentNames,
  useCancelChainRun,
  useChain,
  useChainRun,
  useDecideNode,
  type ChainRun,
} from "./hooks";

/**
 * `/w/:workspaceId/chain-runs/:chainRunId`: a chain run as it goes: its state, input and
 * answers, the graph with each node's state (a node opens into its run), the decisions
 * it waits for, and a way to stop it.
 */
export function ChainRunPage() {
  const { chainRunId = "" } = useParams();
  const { workspace, team } = useCurrentWorkspace();
  const run = useChainRun(workspace.id, chainRunId);
  const chain = useChain(workspace.id, run.data?.chain_id ?? "");
  const names = useAgentNames(workspace.id);
  const navigate = useNavigate();
  const base = `/w/${workspace.id}`;
  const openNode = useCallback(
    (nodeId: string) => {
      const runId = run.data?.nodes.find((node) => node.node_id === nodeId)?.run_id;
      if (runId) {
        void navigate(`${base}/runs/${runId}`);
      }
    },
    [run.data, navigate, base],
  );

  if (run.isPending) {
    return <TableSkeleton label="Loading the chain run" />;
  }
  if (run.isError) {
    return (
      <>
        <PageHeader title="Chain run" />
        <ErrorState
          title="This chain run could not be loaded"
          message={run.error.message}
          action={
            <Link to={`${base}/chains`} className="text-luna-300 underline">
              All chains
            </Link>
          }
        />
      </>
    );
  }
  const canAct = team.role !== "viewer";
  const finished = FINISHED_CHAIN_RUN.has(run.data.status);
  return (
    <>
      <title>{`${chain.data?.name ?? "Chain run"} · Luna`}</title>
      <PageHeader
        title={chain.data?.name ?? "Chain run"}
        description={
          <span className="flex flex-wrap items-center gap-3" data-testid="chain-run-status">
            <ChainRunBadge status={run.data.status} />
            <span>Started {formatDateTime(run.data.created_at)}</span>
            <span>
              {formatCount(run.data.tokens_in + run.data.tokens_out)} tokens ·{" "}
              {formatCost(run.data.cost_usd)}
            </span>
          </span>
        }
        actions={
          canAct && !finished ? (
            <CancelChainRun workspaceId={workspace.id} chainRunId={chainRunId} />
          ) : undefined
        }
      />
      <div className="space-y-8">
        {canAct && <Decisions run={run.data} workspaceId={workspace.id} />}
        {chain.data && (
          <ChainGraph
            definition={chain.data.definition}
            agentNames={names.data ?? new Map()}
            runNodes={run.data.nodes}
            onOpen={openNode}
            label="The nodes of the chain run"
          />
        )}
        <Section title="Input">
          <p className="glass rounded-2xl p-5 text-sm whitespace-pre-wrap text-slate-200">
            {run.data.input}
          </p>
        </Section>
        <Answers run={run.data} strategy={chain.data?.definition.strategy ?? "graph"} />
      </div>
    </>
  );
}

/** How a swarm settled, above its answer. */
function settledAs(strategy: string, nodeId: string, run: ChainRun): string | null {
  if (strategy === "race") return `Won the race: ${nodeId}`;
  if (strategy === "vote") return "The judge's verdict";
  if (strategy === "debate") {
    const skipped = run.nodes.some((node) => node.status === "skipped");
    const round = nodeId.replace("answer-", "round ");
    return skipped
      ? `The critic accepted ${round}`
      : `The last answer (${round}); the critic did not accept`;
  }
  return null;
}

function Answers({ run, strategy }: { run: ChainRun; strategy: string }) {
  if (run.error && run.status !== "succeeded") {
    return (
      <Alert tone={run.status === "cancelled" ? "info" : "warning"} title="Not everything finished">
        {typeof run.error.message === "string"
          ? run.error.message
          : "The chain run did not finish."}
      </Alert>
    );
  }
  const answers = Object.entries(run.output ?? {});
  if (!answers.length) {
    return null;
  }
  return (
    <Section title={answers.length === 1 ? "Answer" : "Answers"}>
      <div className="space-y-4" data-field="answer">
        {answers.map(([nodeId, text]) => (
          <article key={nodeId} className="glass rounded-2xl p-5">
            {settledAs(strategy, nodeId, run) !== null ? (
              <h3 className="mb-2 text-xs font-medium text-luna-200" data-field="settled">
                {settledAs(strategy, nodeId, run)}
              </h3>
            ) : (
              answers.length > 1 && (
                <h3 className="mb-2 font-mono text-xs text-slate-400">{nodeId}</h3>
              )
            )}
            <p className="text-sm whitespace-pre-wrap text-slate-100">{String(text)}</p>
          </article>
        ))}
      </div>
    </Section>
  );
}

function Decisions({ run, workspaceId }: { run: ChainRun; workspaceId: string }) {
  const decide = useDecideNode(workspaceId, run.id);
  const waiting = run.nodes.filter(
    (node) => node.status === "awaiting_approval" && node.approved === null,
  );
  if (!waiting.length) {
    return null;
  }
  const errors = formErrors(decide.error, []);
  return (
    <div className="space-y-3">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      {waiting.map((node) => (
        <Alert key={node.node_id} tone="warning" title={`${node.node_id} waits for your approval`}>
          <div className="mt-3 flex flex-wrap gap-3">
            <Button
              size="sm"
              loading={decide.isPending && decide.variables.approved}
              disabled={decide.isPending}
              onClick={() => {
                decide.mutate({ nodeId: node.node_id, approved: true });
              }}
            >
              Approve
            </Button>
            <Button
              size="sm"
              variant="secondary"
              loading={decide.isPending && !decide.variables.approved}
              disabled={decide.isPending}
              onClick={() => {
                decide.mutate({ nodeId: node.node_id, approved: false });
              }}
            >
              Reject
            </Button>
          </div>
        </Alert>
      ))}
    </div>
  );
}

function CancelChainRun({ workspaceId, chainRunId }: { workspaceId: string; chainRunId: string }) {
  const cancel = useCancelChainRun(workspaceId, chainRunId);
  return (
    <Button
      variant="secondary"
      loading={cancel.isPending}
      onClick={() => {
        cancel.mutate();
      }}
    >
      Cancel
    </Button>
  );
}
