import type { EventType } from "./hooks";

interface EventDescription {
  type: EventType;
  label: string;
}

/** Every event an endpoint can subscribe to, grouped as the form shows them. */
export const EVENT_GROUPS: { title: string; events: readonly EventDescription[] }[] = [
  {
    title: "Runs",
    events: [
      { type: "run.completed", label: "Completed" },
      { type: "run.failed", label: "Failed" },
      { type: "run.awaiting_approval", label: "Waiting for approval" },
      { type: "run.cancelled", label: "Cancelled" },
    ],
  },
  {
    title: "Chain runs",
    events: [
      { type: "chain_run.completed", label: "Completed" },
      { type: "chain_run.failed", label: "Failed (or partly)" },
      { type: "chain_run.awaiting_approval", label: "Waiting for approval" },
      { type: "chain_run.cancelled", label: "Cancelled" },
    ],
  },
  {
    title: "Schedules",
    events: [
      { type: "schedule.fired", label: "Started a run" },
      { type: "schedule.failed", label: "Could not start a run" },
    ],
  },
];

/** The events a new endpoint starts with. */
export const DEFAULT_EVENTS: ReadonlySet<EventType> = new Set([
  "run.completed",
  "run.failed",
  "chain_run.completed",
  "chain_run.failed",
]);

// An event type added to the API and missing above fails the type check here.
type Unlisted = Exclude<EventType, (typeof EVENT_GROUPS)[number]["events"][number]["type"]>;
export const everyEventListed: [Unlisted] extends [never] ? true : never = true;
