import type { AuditEvent } from "./hooks";

const COLUMNS = [
  "time",
  "action",
  "actor_email",
  "actor_user_id",
  "actor_api_key_id",
  "target_type",
  "target_id",
  "ip_address",
  "user_agent",
  "details",
] as const;

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). A
 * leading =, +, - or @ is escaped so that a spreadsheet does not run it as a formula. */
function field(value: string | null): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function row(event: AuditEvent): string[] {
  return [
    event.created_at,
    event.action,
    event.actor.email,
    event.actor.user_id,
    event.actor.api_key_id,
    event.target?.type ?? null,
    event.target?.id ?? null,
    event.ip_address,
    event.user_agent,
    Object.keys(event.data).length > 0 ? JSON.stringify(event.data) : "",
  ].map(field);
}

/** The events as CSV, a header line first, lines ending in CRLF. */
export function auditEventsCsv(events: readonly AuditEvent[]): string {
  return [COLUMNS.join(","), ...events.map((event) => row(event).join(","))]
    .map((line) => `${line}\r\n`)
    .join("");
}

/** A `data:` address of the CSV, for a download link: unlike an object URL, there is
 * nothing to revoke afterwards. */
export function csvDataUrl(csv: string): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`;
}
