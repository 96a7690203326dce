import { useId } from "react";
import { useSearchParams } from "react-router";

import { ApiProblem } from "../../../api/client";
import { Badge } from "../../../components/ui/Badge";
import { Button } from "../../../components/ui/Button";
import { Card } from "../../../components/ui/Card";
import { EmptyState } from "../../../components/ui/EmptyState";
import { ErrorState } from "../../../components/ui/ErrorState";
import { SelectField } from "../../../components/ui/SelectField";
import { LoadingRegion, Skeleton } from "../../../components/ui/Skeleton";
import { formatDateTime, formatRelative } from "../../../lib/dates";
import type { AgentDetail } from "../hooks";
import { useAgentVersions, useTeamMembers, type AgentVersion } from "./hooks";
import { VersionComparison } from "./VersionComparison";
import {
  comparisonFromParams,
  writeComparison,
  type VersionComparison as Compared,
} from "./version-view";

interface VersionHistoryProps {
  workspaceId: string;
  teamId: string;
  agent: AgentDetail;
  canWrite: boolean;
  /** Asks to restore a version (the page confirms first). */
  onRestore: (number: number) => void;
}

/** The agent's versions, and the changes between the two the address names. */
export function VersionHistory({
  workspaceId,
  teamId,
  agent,
  canWrite,
  onRestore,
}: VersionHistoryProps) {
  const headingId = useId();
  const [searchParams, setSearchParams] = useSearchParams();
  const comparison = comparisonFromParams(searchParams, agent.current_version);
  const compare = (changes: Partial<Compared>) => {
    setSearchParams((params) => writeComparison(params, { ...comparison, ...changes }), {
      replace: true,
    });
  };
  const numbers = Array.from(
    { length: agent.current_version },
    (_, index) => agent.current_version - index,
  );

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId} className="mb-4 text-lg font-semibold text-white">
        Version history
      </h2>
      <div className="grid gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
        <VersionList
          workspaceId={workspaceId}
          teamId={teamId}
          agent={agent}
          canWrite={canWrite}
          onRestore={onRestore}
          onShowChanges={(number) => {
            compare({ from: number > 1 ? number - 1 : null, to: number });
          }}
        />
        <Card className="min-w-0 space-y-4 p-5">
          <div className="flex flex-wrap gap-4">
            <SelectField
              label="Compare version"
              className="w-40"
              value={comparison.from ?? ""}
              disabled={agent.current_version === 1}
              onChange={(event) => {
                compare({ from: event.target.value ? Number(event.target.value) : null });
              }}
            >
              {comparison.from === null && <option value="">None</option>}
              {numbers.map((number) => (
                <option key={number} value={number}>
                  Version {number}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="with version"
              className="w-40"
              value={comparison.to}
              disabled={agent.current_version === 1}
              onChange={(event) => {
                compare({ to: Number(event.target.value) });
              }}
            >
              {numbers.map((number) => (
                <option key={number} value={number}>
                  Version {number}
                  {number === agent.current_version ? " (current)" : ""}
                </option>
              ))}
            </SelectField>
          </div>
          <VersionComparison
            workspaceId={workspaceId}
            agentId={agent.id}
            from={comparison.from}
            to={comparison.to}
          />
        </Card>
      </div>
    </section>
  );
}

interface VersionListProps {
  workspaceId: string;
  teamId: string;
  agent: AgentDetail;
  canWrite: boolean;
  onRestore: (number: number) => void;
  onShowChanges: (number: number) => void;
}

function VersionList({
  workspaceId,
  teamId,
  agent,
  canWrite,
  onRestore,
  onShowChanges,
}: VersionListProps) {
  const versions = useAgentVersions(workspaceId, agent.id);
  const members = useTeamMembers(teamId);
  if (versions.isPending) {
    return (
      <LoadingRegion label="Loading the versions">
        <div className="space-y-2">
          <Skeleton className="h-16" />
          <Skeleton className="h-16" />
          <Skeleton className="h-16" />
        </div>
      </LoadingRegion>
    );
  }
  if (versions.isError) {
    return (
      <ErrorState
        title="The versions could not be loaded"
        message={versions.error.message}
        requestId={versions.error instanceof ApiProblem ? versions.error.requestId : null}
        onRetry={() => void versions.refetch()}
        retrying={versions.isFetching}
      />
    );
  }
  const items = versions.data.pages.flatMap((page) => page.items);
  const authorOf = (version: AgentVersion) => {
    if (version.created_by_user_id === null) {
      return null;
    }
    const member = members.data?.find((item) => item.user_id === version.created_by_user_id);
    return member ? member.display_name : members.isSuccess ? "a former member" : null;
  };
  if (items.length === 0) {
    return (
      <EmptyState title="No versions yet">Saving the agent makes its first version.</EmptyState>
    );
  }
  return (
    <div className="space-y-3">
      <ol aria-label="Versions, newest first" className="space-y-2">
        {items.map((version) => (
          <VersionItem
            key={version.id}
            version={version}
            author={authorOf(version)}
            current={version.number === agent.current_version}
            canRestore={canWrite && version.number !== agent.current_version}
            onRestore={() => {
              onRestore(version.number);
            }}
            onShowChanges={() => {
              onShowChanges(version.number);
            }}
          />
        ))}
      </ol>
      {versions.hasNextPage && (
        <Button
          variant="secondary"
          size="sm"
          loading={versions.isFetchingNextPage}
          onClick={() => void versions.fetchNextPage()}
        >
          Show older versions
        </Button>
      )}
    </div>
  );
}

interface VersionItemProps {
  version: AgentVersion;
  author: string | null;
  current: boolean;
  canRestore: boolean;
  onRestore: () => void;
  onShowChanges: () => void;
}

function VersionItem({
  version,
  author,
  current,
  canRestore,
  onRestore,
  onShowChanges,
}: VersionItemProps) {
  return (
    <li className="glass rounded-xl px-4 py-3">
      <div className="flex items-center gap-2">
        <span className="text-sm font-semibold text-white">Version {version.number}</span>
        {current && <Badge tone="brand">Current</Badge>}
      </div>
      <p className="mt-0.5 text-xs text-slate-400">
        <time dateTime={version.created_at} title={formatDateTime(version.created_at)}>
          {formatRelative(version.created_at)}
        </time>
        {author && <> by {author}</>}
      </p>
      <div className="mt-2 flex flex-wrap gap-2">
        {version.number > 1 && (
          <Button
            variant="secondary"
            size="sm"
            aria-label={`Show changes of version ${version.number}`}
            onClick={onShowChanges}
          >
            Show changes
          </Button>
        )}
        {canRestore && (
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Restore version ${version.number}`}
            onClick={onRestore}
          >
            Restore
          </Button>
        )}
      </div>
    </li>
  );
}
