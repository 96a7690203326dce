/**
 * The audit log's view, kept in the address so that a reload or a shared link shows the
 * same events: `?action=` (one action only), `?limit=` (events a page) and one `?cursor=`
 * per page turned (the last is the page shown, the others are the way back).
 */
import { isAuditAction, type AuditAction } from "./audit-actions";

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
const DEFAULT_PAGE_SIZE: PageSize = 50;

export interface AuditLogView {
  action: AuditAction | null;
  limit: PageSize;
  cursors: string[];
}

export function isPageSize(value: number): value is PageSize {
  return (PAGE_SIZES as readonly number[]).includes(value);
}

export function viewFromParams(params: URLSearchParams): AuditLogView {
  const action = params.get("action");
  const limit = Number(params.get("limit"));
  return {
    action: isAuditAction(action) ? action : null,
    limit: isPageSize(limit) ? limit : DEFAULT_PAGE_SIZE,
    cursors: params.getAll("cursor").filter(Boolean),
  };
}

/** Writes `view` into `params`, leaving out what is the default. */
export function writeView(params: URLSearchParams, view: AuditLogView): URLSearchParams {
  for (const key of ["action", "limit", "cursor"]) {
    params.delete(key);
  }
  if (view.action) {
    params.set("action", view.action);
  }
  if (view.limit !== DEFAULT_PAGE_SIZE) {
    params.set("limit", String(view.limit));
  }
  for (const cursor of view.cursors) {
    params.append("cursor", cursor);
  }
  return params;
}

/** The view after a change: a new filter or page size starts again at the first page. */
export function changeView(current: AuditLogView, changes: Partial<AuditLogView>): AuditLogView {
  const firstPage =
    ("action" in changes && changes.action !== current.action) ||
    ("limit" in changes && changes.limit !== current.limit);
  return { ...current, ...(firstPage ? { cursors: [] } : {}), ...changes };
}
