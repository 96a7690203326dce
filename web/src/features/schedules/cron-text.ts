import cronstrue from "cronstrue";

/** A five-field cron expression in words ("At 09:00, Monday through Friday"), or why it
 * is not one; the server checks it again. */
export function describeCron(expression: string): { text: string } | { problem: string } {
  const trimmed = expression.trim();
  if (trimmed.split(/\s+/).length !== 5) {
    return { problem: "Five fields: minute, hour, day of month, month, day of week." };
  }
  try {
    return { text: cronstrue.toString(trimmed, { use24HourTimeFormat: true, verbose: false }) };
  } catch {
    return { problem: "This is not a cron expression." };
  }
}

/** The time zones this browser knows, its own first. */
export function timeZones(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = Intl.supportedValuesOf("timeZone");
  return [own, ...all.filter((zone) => zone !== own && zone !== "UTC"), "UTC"].filter(
    (zone, index, zones) => zones.indexOf(zone) === index,
  );
}
