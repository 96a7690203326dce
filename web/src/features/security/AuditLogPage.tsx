import { useMemo } from "react";
import { useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { buttonClasses } from "../../components/ui/Button";
import { CursorPager } from "../../components/ui/CursorPager";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FilterBar } from "../../components/ui/FilterBar";
import { PageHeader } from "../../components/ui/PageHeader";
import { SelectField } from "../../components/ui/SelectField";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { mayManageTeam, roleWithArticle } from "../members/permissions";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { actionGroups, actionLabel, isAuditAction } from "./audit-actions";
import { auditEventsCsv, csvDataUrl } from "./audit-csv";
import {
  PAGE_SIZES,
  changeView,
  isPageSize,
  viewFromParams,
  writeView,
  type AuditLogView,
} from "./audit-view";
import { AuditLogTable } from "./AuditLogTable";
import { useAuditLog, type AuditEvent } from "./hooks";

const ACTION_GROUPS = actionGroups();

/** The log's view from the address, and a way to change it there. */
function useAuditLogView() {
  const [searchParams, setSearchParams] = useSearchParams();
  const view = viewFromParams(searchParams);
  const change = (patch: (current: AuditLogView) => Partial<AuditLogView>) => {
    setSearchParams((params) => {
      const current = viewFromParams(params);
      return writeView(params, changeView(current, patch(current)));
    });
  };
  return { view, change };
}

function ExportLink({ events, page }: { events: AuditEvent[]; page: number }) {
  const href = useMemo(() => csvDataUrl(auditEventsCsv(events)), [events]);
  return (
    <a href={href} download={`audit-log-page-${page}.csv`} className={buttonClasses("secondary")}>
      Export this page as CSV
    </a>
  );
}

/** The team's audit log: who did what, when and from where (owners and admins). */
export function AuditLogPage() {
  const { team } = useCurrentWorkspace();
  const canRead = mayManageTeam(team.role);
  const { view, change } = useAuditLogView();
  const log = useAuditLog(team.id, view, canRead);
  const page = view.cursors.length + 1;
  const events = log.data?.items ?? [];

  let body;
  if (!canRead) {
    body = (
      <EmptyState title="Only owners and admins see the audit log">
        You are {roleWithArticle(team.role)} of {team.name}.
      </EmptyState>
    );
  } else if (log.isPending) {
    body = <TableSkeleton label="Loading the audit log" rows={5} />;
  } else if (log.isError) {
    body = (
      <ErrorState
        title="The audit log could not be loaded"
        message={log.error.message}
        requestId={log.error instanceof ApiProblem ? log.error.requestId : null}
        onRetry={() => void log.refetch()}
        retrying={log.isFetching}
      />
    );
  } else if (log.data.items.length === 0 && view.cursors.length === 0) {
    body = view.action ? (
      <EmptyState title="No events match">
        Nothing of the kind “{actionLabel(view.action)}” has happened in {team.name}.
      </EmptyState>
    ) : (
      <EmptyState title="No events yet">
        Sign-ins, member changes, API keys and billing events of {team.name} show here.
      </EmptyState>
    );
  } else {
    body = (
      <div aria-busy={log.isPlaceholderData || undefined}>
        <AuditLogTable
          events={log.data.items}
          caption={`Audit log of ${team.name}, page ${page}`}
        />
        <CursorPager
          of="audit events"
          cursors={view.cursors}
          nextCursor={log.data.next_cursor}
          loading={log.isPlaceholderData}
          onCursorsChange={(move) => {
            change((current) => ({ cursors: move(current.cursors) }));
          }}
        />
      </div>
    );
  }

  return (
    <>
      <title>{`Audit log · ${team.name} · Luna`}</title>
      <PageHeader
        title="Audit log"
        description={`${team.name} · newest first`}
        actions={
          canRead && events.length > 0 ? <ExportLink events={events} page={page} /> : undefined
        }
      />
      {canRead && (
        <FilterBar label="Audit log">
          <SelectField
            label="Action"
            className="sm:w-80"
            value={view.action ?? ""}
            onChange={(event) => {
              const action = event.target.value;
              change(() => ({ action: isAuditAction(action) ? action : null }));
            }}
          >
            <option value="">All actions</option>
            {ACTION_GROUPS.map((group) => (
              <optgroup key={group.label} label={group.label}>
                {group.actions.map((action) => (
                  <option key={action} value={action}>
                    {actionLabel(action)}
                  </option>
                ))}
              </optgroup>
            ))}
          </SelectField>
          <SelectField
            label="Events a page"
            className="sm:w-40"
            value={view.limit}
            onChange={(event) => {
              const limit = Number(event.target.value);
              change((current) => ({ limit: isPageSize(limit) ? limit : current.limit }));
            }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </SelectField>
        </FilterBar>
      )}
      {body}
    </>
  );
}
