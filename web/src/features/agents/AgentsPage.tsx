import type { SortingState, Updater } from "@tanstack/react-table";
import { useState } from "react";
import { useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { CheckboxField } from "../../components/ui/CheckboxField";
import { CursorPager } from "../../components/ui/CursorPager";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FilterBar } from "../../components/ui/FilterBar";
import { PageHeader } from "../../components/ui/PageHeader";
import { SelectField } from "../../components/ui/SelectField";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { AgentsTable } from "./AgentsTable";
import { CreateAgentDialog } from "./CreateAgentDialog";
import { useAgents } from "./hooks";
import {
  AGENT_STATUSES,
  HIDEABLE_COLUMNS,
  hiddenOf,
  sortOf,
  sortingOf,
  viewFromParams,
  visibilityOf,
  writeView,
  type AgentListView,
  type AgentStatusFilter,
} from "./list-view";
import { SearchField } from "../../components/ui/SearchField";

const STATUS_LABELS: Record<AgentStatusFilter, string> = {
  active: "Active",
  archived: "Archived",
  all: "All",
};

function resolve<T>(updater: Updater<T>, current: T): T {
  return typeof updater === "function" ? (updater as (old: T) => T)(current) : updater;
}

/** The table's view from the address, and a way to change it there. */
function useListView() {
  const [searchParams, setSearchParams] = useSearchParams();
  const view = viewFromParams(searchParams);
  /** Changes the view; a new search, filter or order starts again at the first page. */
  const change = (patch: (current: AgentListView) => Partial<AgentListView>) => {
    setSearchParams((params) => {
      const current = viewFromParams(params);
      const changes = patch(current);
      const firstPage =
        ("q" in changes && changes.q !== current.q) ||
        ("status" in changes && changes.status !== current.status) ||
        ("sort" in changes && changes.sort !== current.sort);
      return writeView(params, {
        ...current,
        ...(firstPage ? { cursors: [] } : {}),
        ...changes,
      });
    });
  };
  return { view, change };
}

export function AgentsPage() {
  const { team, workspace } = useCurrentWorkspace();
  const { view, change } = useListView();
  const agents = useAgents(workspace.id, view);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const sorting = sortingOf(view.sort);
  const visibility = visibilityOf(view.hidden);
  const filtered = view.q !== "" || view.status !== "active";

  const openCreate = () => {
    setNotice(null);
    setCreating(true);
  };
  const createButton = <Button onClick={openCreate}>New agent from the catalog</Button>;

  return (
    <>
      <title>{`Agents · ${workspace.name} · Luna`}</title>
      <PageHeader title="Agents" actions={createButton} />
      {notice && (
        <Alert tone="success" className="mb-6">
          {notice}
        </Alert>
      )}
      <FilterBar label="Agents">
        <SearchField
          label="Search agents"
          value={view.q}
          placeholder="Name or description"
          className="sm:w-80"
          onSearch={(q) => {
            change(() => ({ q }));
          }}
        />
        <SelectField
          label="Status"
          className="sm:w-40"
          value={view.status}
          onChange={(event) => {
            const status = AGENT_STATUSES.find((value) => value === event.target.value);
            change(() => ({ status: status ?? "active" }));
          }}
        >
          {AGENT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </SelectField>
        <details className="relative sm:ml-auto">
          <summary className="glass inline-flex h-10 cursor-pointer items-center rounded-lg px-4 text-sm font-medium text-slate-100 hover:bg-white/10">
            Columns
          </summary>
          <fieldset className="glass absolute right-0 z-10 mt-2 w-48 rounded-lg bg-night-raised/95 p-2">
            <legend className="sr-only">Columns shown</legend>
            {HIDEABLE_COLUMNS.map(({ id, label }) => (
              <CheckboxField
                key={id}
                label={label}
                checked={visibility[id] !== false}
                onChange={(event) => {
                  const checked = event.target.checked;
                  change((current) => ({
                    hidden: hiddenOf({ ...visibilityOf(current.hidden), [id]: checked }),
                  }));
                }}
              />
            ))}
          </fieldset>
        </details>
      </FilterBar>
      {agents.isPending ? (
        <TableSkeleton label="Loading agents" />
      ) : agents.isError ? (
        <ErrorState
          title="The agents could not be loaded"
          message={agents.error.message}
          requestId={agents.error instanceof ApiProblem ? agents.error.requestId : null}
          onRetry={() => void agents.refetch()}
          retrying={agents.isFetching}
        />
      ) : agents.data.items.length === 0 && view.cursors.length === 0 ? (
        filtered ? (
          <EmptyState title="No agents match">
            No agent of this workspace matches this search and status.
          </EmptyState>
        ) : (
          <EmptyState
            title="No agents yet"
            action={<Button onClick={openCreate}>Create one from the catalog</Button>}
          >
            Start from one of Luna&apos;s ready-made agents: reviewers, release notes writers,
            researchers and more.
          </EmptyState>
        )
      ) : (
        <div aria-busy={agents.isPlaceholderData || undefined}>
          <AgentsTable
            agents={agents.data.items}
            sorting={sorting}
            onSortingChange={(updater: Updater<SortingState>) => {
              change((current) => ({ sort: sortOf(resolve(updater, sortingOf(current.sort))) }));
            }}
            columnVisibility={visibility}
          />
          <CursorPager
            of="agents"
            cursors={view.cursors}
            nextCursor={agents.data.next_cursor}
            loading={agents.isPlaceholderData}
            onCursorsChange={(move) => {
              change((current) => ({ cursors: move(current.cursors) }));
            }}
          />
        </div>
      )}
      <CreateAgentDialog
        workspaceId={workspace.id}
        teamPlan={team.plan}
        open={creating}
        onClose={() => {
          setCreating(false);
        }}
        onCreated={(agent) => {
          setCreating(false);
          setNotice(`“${agent.name}” is created.`);
          // Newest changes first, from the first page, so that the new agent is in view.
          change(() => ({ q: "", status: "active", sort: "-updated_at", cursors: [] }));
        }}
      />
    </>
  );
}
