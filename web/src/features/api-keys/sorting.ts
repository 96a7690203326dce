import type { SortOptions } from "../../lib/sort-param";

/** The keys table sorts by these columns; newest first unless the address says otherwise. */
export const KEY_SORTING: SortOptions = {
  columns: ["name", "created_at", "last_used_at", "expires_at", "status"],
  fallback: [{ id: "created_at", desc: true }],
};
