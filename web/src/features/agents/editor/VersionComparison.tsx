import { ApiProblem } from "../../../api/client";
import { ErrorState } from "../../../components/ui/ErrorState";
import { LoadingRegion, Skeleton } from "../../../components/ui/Skeleton";
import { definitionText } from "./definition-text";
import { useAgentVersion } from "./hooks";
import { TextDiff } from "./TextDiff";

interface VersionComparisonProps {
  workspaceId: string;
  agentId: string;
  from: number | null;
  to: number;
}

/** What changed between two versions: the instructions, then the rest of the definition. */
export function VersionComparison({ workspaceId, agentId, from, to }: VersionComparisonProps) {
  const before = useAgentVersion(workspaceId, agentId, from);
  const after = useAgentVersion(workspaceId, agentId, to);
  if (from === null) {
    return (
      <p className="text-sm text-slate-400">
        This agent has a single version: there is nothing to compare yet.
      </p>
    );
  }
  if (from === to) {
    return <p className="text-sm text-slate-400">Choose two different versions to compare.</p>;
  }
  const failed = before.error ?? after.error;
  if (failed) {
    return (
      <ErrorState
        title="The versions could not be loaded"
        message={failed.message}
        requestId={failed instanceof ApiProblem ? failed.requestId : null}
        onRetry={() => {
          void before.refetch();
          void after.refetch();
        }}
        retrying={before.isFetching || after.isFetching}
      />
    );
  }
  if (!before.data || !after.data) {
    return (
      <LoadingRegion label="Loading the changes">
        <div className="space-y-2">
          <Skeleton className="h-4 w-1/3" />
          <Skeleton className="h-40" />
        </div>
      </LoadingRegion>
    );
  }
  const old = definitionText(before.data.definition);
  const next = definitionText(after.data.definition);
  return (
    <div className="space-y-5">
      <h3 className="text-sm font-medium text-slate-300">
        Changes from version {from} to version {to}
      </h3>
      <TextDiff
        title="Instructions"
        before={old.instructions}
        after={next.instructions}
        fromVersion={from}
        toVersion={to}
      />
      <TextDiff
        title="Model, tools and other settings"
        before={old.settings}
        after={next.settings}
        fromVersion={from}
        toVersion={to}
      />
    </div>
  );
}
