import { useState } from "react";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { useSortingParam } from "../../lib/sort-param";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { ApiKeysTable } from "./ApiKeysTable";
import { CreateApiKeyDialog } from "./CreateApiKeyDialog";
import { useApiKeys, type ApiKey } from "./hooks";
import { RevokeApiKeyDialog } from "./RevokeApiKeyDialog";
import { KEY_SORTING } from "./sorting";

export function ApiKeysPage() {
  const { workspace } = useCurrentWorkspace();
  const keys = useApiKeys(workspace.id);
  const [sorting, changeSorting] = useSortingParam(KEY_SORTING);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const createButton = (
    <Button
      onClick={() => {
        setNotice(null);
        setCreating(true);
      }}
    >
      Create API key
    </Button>
  );

  return (
    <>
      <title>{`API keys · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="API keys"
        description={
          <>
            Sent as{" "}
            <code className="font-mono text-slate-300">Authorization: Bearer luna_sk_…</code>
          </>
        }
        actions={keys.isSuccess ? createButton : undefined}
      />
      {notice && (
        <Alert tone="success" className="mb-6">
          {notice}
        </Alert>
      )}
      {keys.isPending ? (
        <TableSkeleton label="Loading API keys" />
      ) : keys.isError ? (
        <ErrorState
          title="The API keys could not be loaded"
          message={keys.error.message}
          requestId={keys.error instanceof ApiProblem ? keys.error.requestId : null}
          onRetry={() => void keys.refetch()}
          retrying={keys.isFetching}
        />
      ) : keys.data.length === 0 ? (
        <EmptyState title="No API keys yet">
          Create a key to call this workspace&apos;s agents from your code, the SDK or a CI job:
          press “Create API key” above.
        </EmptyState>
      ) : (
        <ApiKeysTable
          keys={keys.data}
          sorting={sorting}
          onSortingChange={changeSorting}
          onRevoke={setRevoking}
        />
      )}
      <CreateApiKeyDialog
        workspaceId={workspace.id}
        open={creating}
        onClose={() => {
          setCreating(false);
        }}
      />
      <RevokeApiKeyDialog
        workspaceId={workspace.id}
        apiKey={revoking}
        onClose={() => {
          setRevoking(null);
        }}
        onRevoked={(key) => {
          setRevoking(null);
          setNotice(`“${key.name}” is revoked: requests with it are refused.`);
        }}
      />
    </>
  );
}
