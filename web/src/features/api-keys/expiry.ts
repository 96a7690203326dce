/** The expiry choices of a new key, and the timestamp each one means. */
export const EXPIRY_CHOICES = [
  { value: "never", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In a year" },
  { value: "date", label: "On a date…" },
] as const;

export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]["value"];

/**
 * The `expires_at` of a choice, with a time zone as the API requires: a number of days
 * from `now`, or the end of a chosen day (`YYYY-MM-DD`) in the user's time zone.
 */
export function expiresAt(
  choice: ExpiryChoice,
  date: string,
  now: Date = new Date(),
): string | null {
  if (choice === "never") {
    return null;
  }
  if (choice === "date") {
    const [year, month, day] = date.split("-").map(Number);
    if (!year || !month || !day) {
      return null;
    }
    return new Date(year, month - 1, day, 23, 59, 59).toISOString();
  }
  return new Date(now.getTime() + Number(choice) * 24 * 3600 * 1000).toISOString();
}

/** Tomorrow as `YYYY-MM-DD` in the user's time zone: the earliest date a key may expire. */
export function tomorrow(now: Date = new Date()): string {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const month = String(next.getMonth() + 1).padStart(2, "0");
  const day = String(next.getDate()).padStart(2, "0");
  return `${next.getFullYear()}-${month}-${day}`;
}
