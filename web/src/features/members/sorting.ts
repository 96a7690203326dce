import type { SortOptions } from "../../lib/sort-param";

/** The members table sorts by these columns; in the order people joined unless asked. */
export const MEMBER_SORTING: SortOptions = {
  columns: ["name", "email", "role", "joined_at"],
  fallback: [],
};
