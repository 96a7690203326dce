import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { Alert } from "../../../components/ui/Alert";
import { Badge } from "../../../components/ui/Badge";
import { Button, buttonClasses } from "../../../components/ui/Button";
import { PageHeader } from "../../../components/ui/PageHeader";
import { LoadingRegion, Skeleton } from "../../../components/ui/Skeleton";
import { formatDateTime, formatRelative } from "../../../lib/dates";
import { useCurrentWorkspace } from "../../shell/use-current-workspace";
import type { AgentDetail } from "../hooks";
import { AgentEditorForm } from "./AgentEditorForm";
import { AgentLoadError } from "./AgentLoadError";
import { DeleteAgentDialog } from "./DeleteAgentDialog";
import { agentKey, agentQuery, useAgent } from "./hooks";
import { RestoreVersionDialog } from "./RestoreVersionDialog";
import { NewRunDialog } from "../../runs/NewRunDialog";
import { EnvironmentsPanel } from "../environments/EnvironmentsPanel";
import { VersionHistory } from "./VersionHistory";
import { writeComparison } from "./version-view";

/** `/w/:workspaceId/agents/:agentId`: edit an agent, and see and restore its versions. */
export function AgentEditorPage() {
  const { workspace, team } = useCurrentWorkspace();
  const { agentId = "" } = useParams();
  const agent = useAgent(workspace.id, agentId);
  const agentsPath = `/w/${workspace.id}/agents`;

  return (
    <>
      <title>{`${agent.data?.name ?? "Agent"} · Agents · Luna`}</title>
      {agent.isPending ? (
        <EditorSkeleton />
      ) : agent.isError ? (
        <>
          <PageHeader title="Agent" />
          <AgentLoadError
            error={agent.error}
            onRetry={() => void agent.refetch()}
            retrying={agent.isFetching}
            action={
              <Link to={agentsPath} className={buttonClasses("ghost")}>
                All agents
              </Link>
            }
          />
        </>
      ) : (
        <AgentEditor
          workspaceId={workspace.id}
          teamId={team.id}
          canWrite={team.role !== "viewer"}
          agent={agent.data}
        />
      )}
    </>
  );
}

function EditorSkeleton() {
  return (
    <LoadingRegion label="Loading the agent">
      <div className="mb-8 space-y-3">
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-4 w-48" />
      </div>
      <div className="glass space-y-5 rounded-2xl p-6">
        <Skeleton className="h-10" />
        <Skeleton className="h-16" />
        <Skeleton className="h-72" />
        <Skeleton className="h-24" />
      </div>
    </LoadingRegion>
  );
}

interface AgentEditorProps {
  workspaceId: string;
  teamId: string;
  canWrite: boolean;
  agent: AgentDetail;
}

function AgentEditor({ workspaceId, teamId, canWrite, agent }: AgentEditorProps) {
  const queryClient = useQueryClient();
  const [, setSearchParams] = useSearchParams();
  const [formKey, setFormKey] = useState(0);
  const [dirty, setDirty] = useState(false);
  const [restoring, setRestoring] = useState<number | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [running, setRunning] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const reload = async () => {
    void queryClient.invalidateQueries({
      queryKey: [...agentKey(workspaceId, agent.id), "versions"],
    });
    return queryClient.query({ ...agentQuery(workspaceId, agent.id), staleTime: 0 });
  };

  return (
    <>
      <PageHeader
        title={agent.name}
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {agent.status === "active" ? (
              <Badge tone="success">Active</Badge>
            ) : (
              <Badge>Archived</Badge>
            )}
            <span>Version {agent.current_version}</span>
            <span>
              Updated{" "}
              <time dateTime={agent.updated_at} title={formatDateTime(agent.updated_at)}>
                {formatRelative(agent.updated_at)}
              </time>
            </span>
            {agent.template_slug && <span>From {agent.template_slug}</span>}
          </span>
        }
        actions={
          <>
            {agent.status === "active" && canWrite && (
              <Button
                onClick={() => {
                  setRunning(true);
                }}
              >
                Run
              </Button>
            )}
            {agent.status === "active" && (
              <Link
                to={`/w/${workspaceId}/playground?agent=${agent.id}`}
                className={buttonClasses("secondary")}
              >
                Try in playground
              </Link>
            )}
            <Link
              to={`/w/${workspaceId}/agents/${agent.id}/evals`}
              className={buttonClasses("secondary")}
            >
              Evaluations
            </Link>
            <Link to={`/w/${workspaceId}/agents`} className={buttonClasses("secondary")}>
              All agents
            </Link>
            {canWrite && (
              <Button
                variant="ghost"
                onClick={() => {
                  setDeleting(true);
                }}
              >
                Delete agent
              </Button>
            )}
          </>
        }
      />
      {notice && (
        <Alert tone="success" className="mb-6">
          {notice}
        </Alert>
      )}
      <div className="space-y-10">
        <AgentEditorForm
          key={formKey}
          workspaceId={workspaceId}
          agent={agent}
          canWrite={canWrite}
          onReload={reload}
          onDirtyChange={setDirty}
        />
        <VersionHistory
          workspaceId={workspaceId}
          teamId={teamId}
          agent={agent}
          canWrite={canWrite}
          onRestore={(number) => {
            setNotice(null);
            setRestoring(number);
          }}
        />
        <EnvironmentsPanel workspaceId={workspaceId} agent={agent} canWrite={canWrite} />
      </div>
      {running && (
        <NewRunDialog
          workspaceId={workspaceId}
          open
          onClose={() => {
            setRunning(false);
          }}
          agents={[agent]}
        />
      )}
      <RestoreVersionDialog
        workspaceId={workspaceId}
        agent={agent}
        number={restoring}
        discardsChanges={dirty}
        onClose={() => {
          setRestoring(null);
        }}
        onRestored={(restored, number) => {
          setRestoring(null);
          setFormKey((key) => key + 1);
          setNotice(
            `Version ${number} is restored as version ${restored.current_version}, which the agent runs from now on.`,
          );
          setSearchParams(
            (params) =>
              writeComparison(params, {
                from: agent.current_version,
                to: restored.current_version,
              }),
            { replace: true },
          );
        }}
      />
      <DeleteAgentDialog
        workspaceId={workspaceId}
        agent={agent}
        open={deleting}
        onClose={() => {
          setDeleting(false);
        }}
      />
    </>
  );
}
