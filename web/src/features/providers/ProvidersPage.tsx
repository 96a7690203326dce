import type { SortingState, Updater } from "@tanstack/react-table";
import { useCallback, useState } from "react";
import { useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { CursorPager } from "../../components/ui/CursorPager";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { formErrors } from "../../lib/form-errors";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { AddProviderDialog } from "./AddProviderDialog";
import { EditProviderDialog } from "./EditProviderDialog";
import { DeleteProviderDialog } from "./DeleteProviderDialog";
import { useCheckProvider, useMakeDefaultProvider, useProviders, type Provider } from "./hooks";
import { sortOf, sortingOf, viewFromParams, writeView, type ProviderListView } from "./list-view";
import { mayCheckProviders, mayManageProviders } from "./permissions";
import { ProviderCheckResult } from "./ProviderCheckResult";
import { ProvidersTable } from "./ProvidersTable";

/** The table's view from the address, and a way to change it there. */
function useListView() {
  const [searchParams, setSearchParams] = useSearchParams();
  const view = viewFromParams(searchParams);
  /** Changes the view; a new order starts again at the first page. */
  const change = useCallback(
    (patch: (current: ProviderListView) => Partial<ProviderListView>) => {
      setSearchParams((params) => {
        const current = viewFromParams(params);
        const changes = patch(current);
        const firstPage = "sort" in changes && changes.sort !== current.sort;
        return writeView(params, { ...current, ...(firstPage ? { cursors: [] } : {}), ...changes });
      });
    },
    [setSearchParams],
  );
  return { view, change };
}

function resolve<T>(updater: Updater<T>, current: T): T {
  return typeof updater === "function" ? (updater as (old: T) => T)(current) : updater;
}

export function ProvidersPage() {
  const { team, workspace } = useCurrentWorkspace();
  const { view, change } = useListView();
  const providers = useProviders(workspace.id, view);
  const check = useCheckProvider(workspace.id);
  const makeDefault = useMakeDefaultProvider(workspace.id);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const [editing, setEditing] = useState<Provider | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const canManage = mayManageProviders(team.role);
  const canCheck = mayCheckProviders(team.role);
  const actionErrors = formErrors(check.error ?? makeDefault.error, []);

  const { mutate: runCheck, reset: resetCheck } = check;
  const { mutate: runMakeDefault, reset: resetMakeDefault } = makeDefault;
  const clearMessages = () => {
    setNotice(null);
    resetCheck();
    resetMakeDefault();
  };
  const openAdd = () => {
    clearMessages();
    setAdding(true);
  };
  const onCheck = useCallback(
    (provider: Provider) => {
      setNotice(null);
      resetMakeDefault();
      runCheck(provider);
    },
    [runCheck, resetMakeDefault],
  );
  const onMakeDefault = useCallback(
    (provider: Provider) => {
      setNotice(null);
      resetCheck();
      runMakeDefault(provider, {
        onSuccess: (updated) => {
          setNotice(`“${updated.name}” is now the workspace's default provider.`);
        },
      });
    },
    [runMakeDefault, resetCheck],
  );
  const onDelete = useCallback((provider: Provider) => {
    setDeleting(provider);
  }, []);
  const onSortingChange = useCallback(
    (updater: Updater<SortingState>) => {
      change((current) => ({ sort: sortOf(resolve(updater, sortingOf(current.sort))) }));
    },
    [change],
  );

  return (
    <>
      <title>{`Providers · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="Providers"
        description="Anthropic, OpenAI, or any server that speaks OpenAI's API (Ollama, vLLM, LM Studio)."
        actions={canManage ? <Button onClick={openAdd}>Add provider</Button> : undefined}
      />
      {!canManage && (
        <p className="mb-6 text-sm text-slate-400">
          Only the owners and admins of {team.name} can add, change or delete providers; your role
          is {team.role}.
        </p>
      )}
      {notice && (
        <Alert tone="success" className="mb-6">
          {notice}
        </Alert>
      )}
      {check.data && (
        <ProviderCheckResult provider={check.variables} check={check.data} className="mb-6" />
      )}
      {actionErrors.message && (
        <div className="mb-6">
          <FormAlert message={actionErrors.message} requestId={actionErrors.requestId} />
        </div>
      )}
      {providers.isPending ? (
        <TableSkeleton label="Loading providers" />
      ) : providers.isError ? (
        <ErrorState
          title="The providers could not be loaded"
          message={providers.error.message}
          requestId={providers.error instanceof ApiProblem ? providers.error.requestId : null}
          onRetry={() => void providers.refetch()}
          retrying={providers.isFetching}
        />
      ) : providers.data.items.length === 0 && view.cursors.length === 0 ? (
        <EmptyState
          title="No providers yet"
          action={canManage ? <Button onClick={openAdd}>Add a provider</Button> : undefined}
        >
          {canManage
            ? "Connect Anthropic, OpenAI or a local server such as Ollama so that agents can run."
            : "Agents cannot run until an owner or admin connects a provider."}
        </EmptyState>
      ) : (
        <div aria-busy={providers.isPlaceholderData || undefined}>
          <ProvidersTable
            providers={providers.data.items}
            sorting={sortingOf(view.sort)}
            onSortingChange={onSortingChange}
            canCheck={canCheck}
            canManage={canManage}
            checkingId={check.isPending ? check.variables.id : null}
            makingDefaultId={makeDefault.isPending ? makeDefault.variables.id : null}
            onCheck={onCheck}
            onMakeDefault={onMakeDefault}
            onDelete={onDelete}
            onEdit={setEditing}
          />
          <CursorPager
            of="providers"
            cursors={view.cursors}
            nextCursor={providers.data.next_cursor}
            loading={providers.isPlaceholderData}
            onCursorsChange={(move) => {
              change((current) => ({ cursors: move(current.cursors) }));
            }}
          />
        </div>
      )}
      <AddProviderDialog
        workspaceId={workspace.id}
        open={adding}
        onClose={() => {
          setAdding(false);
        }}
        onCreated={(provider) => {
          setAdding(false);
          setNotice(
            `“${provider.name}” is added${provider.is_default ? " as the default provider" : ""}. Check it to see that Luna can reach it.`,
          );
          change(() => ({ cursors: [] }));
        }}
      />
      <EditProviderDialog
        workspaceId={workspace.id}
        provider={editing}
        onClose={() => {
          setEditing(null);
        }}
        onSaved={(provider) => {
          setEditing(null);
          clearMessages();
          setNotice(`“${provider.name}” is saved.`);
        }}
      />
      <DeleteProviderDialog
        workspaceId={workspace.id}
        provider={deleting}
        onClose={() => {
          setDeleting(null);
        }}
        onDeleted={(provider) => {
          setDeleting(null);
          clearMessages();
          setNotice(`“${provider.name}” is deleted.`);
        }}
      />
    </>
  );
}
