/** How the usage page writes its figures. Days are the API's UTC days. */

const count = new Intl.NumberFormat();
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
// Runs often cost fractions of a cent: four decimals keep them from reading as $0.00.
const usd = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});
const shortDay = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});
const longDay = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
  year: "numeric",
  timeZone: "UTC",
});

/** "1,200". */
export function formatCount(value: number): string {
  return count.format(value);
}

/** "1.2K", for chart axes. */
export function formatCompactCount(value: number): string {
  return compact.format(value);
}

/** "$0.0123", "$12.50". */
export function formatCost(value: number): string {
  return usd.format(value);
}

function dateOf(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** "Nov 20", from `2026-11-20`. */
export function formatShortDay(day: string): string {
  return shortDay.format(dateOf(day));
}

/** "Fri, Nov 20, 2026", from `2026-11-20`. */
export function formatLongDay(day: string): string {
  return longDay.format(dateOf(day));
}
