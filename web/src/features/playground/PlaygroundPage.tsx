import { useCallback } from "react";
import { Link, useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { buttonClasses } from "../../components/ui/Button";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { SelectField } from "../../components/ui/SelectField";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { classNames } from "../../lib/class-names";
import { AgentLoadError } from "../agents/editor/AgentLoadError";
import { useAgent, useProviderChoices } from "../agents/editor/hooks";
import type { Agent, AgentDetail } from "../agents/hooks";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { CompareRuns } from "./CompareRuns";
import { Conversation } from "./Conversation";
import { DraftEditor } from "./DraftEditor";
import { useActiveAgents } from "./hooks";
import {
  agentChange,
  playgroundViewFromParams,
  writePlaygroundView,
  type PlaygroundMode,
  type PlaygroundView,
} from "./playground-view";
import { usePlaygroundDraft } from "./use-draft";

/** The page's view in the address, and a way to change it there. */
function usePlaygroundView() {
  const [searchParams, setSearchParams] = useSearchParams();
  const view = playgroundViewFromParams(searchParams);
  const change = useCallback(
    (changes: Partial<PlaygroundView>) => {
      setSearchParams((params) => writePlaygroundView(params, changes));
    },
    [setSearchParams],
  );
  return { view, change };
}

/**
 * `/w/:workspaceId/playground?agent=`: try an agent. Edit its definition as a draft, talk
 * to it while its reasoning is drawn live, decide on its tool calls, and compare versions.
 */
export function PlaygroundPage() {
  const { workspace } = useCurrentWorkspace();
  const agents = useActiveAgents(workspace.id);
  return (
    <>
      <title>Playground · Luna</title>
      <PageHeader title="Playground" description="Edit a draft, talk to it, compare versions." />
      {agents.isPending ? (
        <PlaygroundSkeleton />
      ) : agents.isError ? (
        <ErrorState
          title="The agents could not be loaded"
          message={agents.error.message}
          requestId={agents.error instanceof ApiProblem ? agents.error.requestId : null}
          onRetry={() => void agents.refetch()}
          retrying={agents.isFetching}
        />
      ) : agents.data.length === 0 ? (
        <EmptyState
          title="No agent to try yet"
          action={
            <Link to={`/w/${workspace.id}/agents`} className={buttonClasses("primary")}>
              Go to your agents
            </Link>
          }
        >
          Create an agent from the catalog first; then try it here.
        </EmptyState>
      ) : (
        <Playground agents={agents.data} />
      )}
    </>
  );
}

function PlaygroundSkeleton() {
  return (
    <LoadingRegion label="Loading the playground">
      <div className="space-y-6">
        <Skeleton className="h-10 w-72" />
        <Skeleton className="h-72" />
        <div className="grid gap-6 lg:grid-cols-2">
          <Skeleton className="h-64" />
          <Skeleton className="h-64" />
        </div>
      </div>
    </LoadingRegion>
  );
}

function Playground({ agents }: { agents: Agent[] }) {
  const { workspace } = useCurrentWorkspace();
  const { view, change } = usePlaygroundView();
  const agentId = view.agent ?? agents[0]?.id ?? "";
  const listed = agents.some((agent) => agent.id === agentId);
  return (
    <>
      <div className="mb-6 flex flex-wrap items-end gap-4">
        <SelectField
          label="Agent"
          className="w-full sm:w-72"
          value={agentId}
          onChange={(event) => {
            change(agentChange(event.target.value));
          }}
        >
          {agents.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.name}
            </option>
          ))}
          {!listed && <option value={agentId}>{agentId} (not active)</option>}
        </SelectField>
        <ModeSwitch
          mode={view.mode}
          onChange={(mode) => {
            change({ mode });
          }}
        />
        <Link
          to={`/w/${workspace.id}/agents/${agentId}`}
          className={classNames(buttonClasses("ghost"), "sm:ml-auto")}
        >
          Open the agent
        </Link>
      </div>
      <AgentPlayground key={agentId} agentId={agentId} view={view} onChange={change} />
    </>
  );
}

const MODES: { mode: PlaygroundMode; label: string }[] = [
  { mode: "chat", label: "Chat" },
  { mode: "compare", label: "Compare versions" },
];

function ModeSwitch({
  mode,
  onChange,
}: {
  mode: PlaygroundMode;
  onChange: (mode: PlaygroundMode) => void;
}) {
  return (
    <div role="group" aria-label="Mode" className="glass flex gap-1 rounded-lg p-1">
      {MODES.map((choice) => (
        <button
          key={choice.mode}
          type="button"
          aria-pressed={mode === choice.mode}
          onClick={() => {
            onChange(choice.mode);
          }}
          className={classNames(
            "h-8 rounded-md px-3 text-sm font-medium transition-colors",
            mode === choice.mode
              ? "bg-white/12 text-white"
              : "text-slate-300 hover:bg-white/6 hover:text-white",
          )}
        >
          {choice.label}
        </button>
      ))}
    </div>
  );
}

interface AgentPlaygroundProps {
  agentId: string;
  view: PlaygroundView;
  onChange: (changes: Partial<PlaygroundView>) => void;
}

function AgentPlayground({ agentId, view, onChange }: AgentPlaygroundProps) {
  const { workspace } = useCurrentWorkspace();
  const agent = useAgent(workspace.id, agentId);
  if (agent.isPending) {
    return (
      <LoadingRegion label="Loading the agent">
        <div className="space-y-6">
          <Skeleton className="h-72" />
          <Skeleton className="h-48" />
        </div>
      </LoadingRegion>
    );
  }
  if (agent.isError) {
    return (
      <AgentLoadError
        error={agent.error}
        onRetry={() => void agent.refetch()}
        retrying={agent.isFetching}
      />
    );
  }
  return <LoadedPlayground agent={agent.data} view={view} onChange={onChange} />;
}

interface LoadedPlaygroundProps {
  agent: AgentDetail;
  view: PlaygroundView;
  onChange: (changes: Partial<PlaygroundView>) => void;
}

function LoadedPlayground({ agent, view, onChange }: LoadedPlaygroundProps) {
  const { workspace, team } = useCurrentWorkspace();
  const canWrite = team.role !== "viewer";
  const draft = usePlaygroundDraft(agent);
  const providers = useProviderChoices(workspace.id);
  const inputSchema =
    (draft.draft.state === "changed" ? draft.draft.definition : draft.base.definition)
      .input_schema ?? null;
  return (
    <div className="space-y-8">
      {providers.data?.length === 0 && (
        <Alert tone="warning" title="No model provider yet">
          <p>Runs need a model provider: add one, such as OpenAI or a local server.</p>
          <Link
            to={`/w/${workspace.id}/providers`}
            className="mt-2 inline-block font-semibold underline"
          >
            Add a model provider
          </Link>
        </Alert>
      )}
      {!canWrite && (
        <Alert tone="info">
          You can read this agent and its runs but not run it: viewers of a team have read-only
          access.
        </Alert>
      )}
      <DraftEditor workspaceId={workspace.id} draft={draft} canWrite={canWrite} />
      {view.mode === "compare" ? (
        <CompareRuns
          workspaceId={workspace.id}
          key={JSON.stringify(inputSchema)}
          agent={draft.base}
          draft={draft.draft}
          inputSchema={inputSchema}
          canWrite={canWrite}
          view={view}
          onChange={onChange}
        />
      ) : (
        <Conversation
          workspaceId={workspace.id}
          agentId={agent.id}
          agentName={agent.name}
          threadId={view.thread}
          draft={draft.draft}
          inputSchema={inputSchema}
          canWrite={canWrite}
          onThreadChange={(thread) => {
            onChange({ agent: agent.id, thread });
          }}
        />
      )}
    </div>
  );
}
