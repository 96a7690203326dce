import type { SortingState, Updater } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Button, buttonClasses } from "../../components/ui/Button";
import { CursorPager } from "../../components/ui/CursorPager";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FilterBar } from "../../components/ui/FilterBar";
import { PageHeader } from "../../components/ui/PageHeader";
import { SelectField } from "../../components/ui/SelectField";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { useAgents } from "../agents/hooks";
import type { AgentListView } from "../agents/list-view";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { useRuns } from "./hooks";
import {
  RUN_STATUSES,
  isRunStatus,
  sortOf,
  sortingOf,
  viewFromParams,
  writeView,
  type RunListView,
} from "./list-view";
import { RUN_STATUS_LABELS } from "./run-format";
import { NewRunDialog } from "./NewRunDialog";
import { RunsTable } from "./RunsTable";

/** The agents whose names the table shows: the first page of all of them. */
const ALL_AGENTS: AgentListView = { q: "", status: "all", sort: null, cursors: [], hidden: [] };

function resolve<T>(updater: Updater<T>, current: T): T {
  return typeof updater === "function" ? (updater as (old: T) => T)(current) : updater;
}

/** The table's view from the address, and a way to change it there. */
function useListView() {
  const [searchParams, setSearchParams] = useSearchParams();
  const view = viewFromParams(searchParams);
  /** Changes the view; a new filter or order starts again at the first page. */
  const change = (patch: (current: RunListView) => Partial<RunListView>) => {
    setSearchParams((params) => {
      const current = viewFromParams(params);
      const changes = patch(current);
      const firstPage =
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

export function RunsPage() {
  const { workspace, team } = useCurrentWorkspace();
  const { view, change } = useListView();
  const runs = useRuns(workspace.id, view);
  const agents = useAgents(workspace.id, ALL_AGENTS);
  const agentNames = useMemo(
    () => new Map((agents.data?.items ?? []).map((agent) => [agent.id, agent.name])),
    [agents.data],
  );
  const sorting = sortingOf(view.sort);
  const [starting, setStarting] = useState(false);
  const runnable = (agents.data?.items ?? []).filter((agent) => agent.status === "active");

  return (
    <>
      <title>{`Runs · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="Runs"
        actions={
          team.role !== "viewer" &&
          runnable.length > 0 && (
            <Button
              onClick={() => {
                setStarting(true);
              }}
            >
              New run
            </Button>
          )
        }
      />
      {starting && (
        <NewRunDialog
          workspaceId={workspace.id}
          open
          onClose={() => {
            setStarting(false);
          }}
          agents={runnable}
        />
      )}
      <FilterBar label="Runs">
        <SelectField
          label="Status"
          className="sm:w-56"
          value={view.status ?? ""}
          onChange={(event) => {
            const status = event.target.value;
            change(() => ({ status: isRunStatus(status) ? status : null }));
          }}
        >
          <option value="">All</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {RUN_STATUS_LABELS[status]}
            </option>
          ))}
        </SelectField>
      </FilterBar>
      {runs.isPending ? (
        <TableSkeleton label="Loading runs" />
      ) : runs.isError ? (
        <ErrorState
          title="The runs could not be loaded"
          message={runs.error.message}
          requestId={runs.error instanceof ApiProblem ? runs.error.requestId : null}
          onRetry={() => void runs.refetch()}
          retrying={runs.isFetching}
        />
      ) : runs.data.items.length === 0 && view.cursors.length === 0 ? (
        view.status ? (
          <EmptyState title="No runs match">
            No run of this workspace is {RUN_STATUS_LABELS[view.status].toLowerCase()}.
          </EmptyState>
        ) : (
          <EmptyState
            title="No runs yet"
            action={
              <Link to={`/w/${workspace.id}/agents`} className={buttonClasses("secondary")}>
                Go to the agents
              </Link>
            }
          >
            Runs show here once an agent of this workspace runs.
          </EmptyState>
        )
      ) : (
        <div aria-busy={runs.isPlaceholderData || undefined}>
          <RunsTable
            runs={runs.data.items}
            agentNames={agentNames}
            sorting={sorting}
            onSortingChange={(updater: Updater<SortingState>) => {
              change((current) => ({ sort: sortOf(resolve(updater, sortingOf(current.sort))) }));
            }}
          />
          <CursorPager
            of="runs"
            cursors={view.cursors}
            nextCursor={runs.data.next_cursor}
            loading={runs.isPlaceholderData}
            onCursorsChange={(move) => {
              change((current) => ({ cursors: move(current.cursors) }));
            }}
          />
        </div>
      )}
    </>
  );
}
