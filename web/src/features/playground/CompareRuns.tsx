import { useId, useState, type SubmitEvent } from "react";

import { ApiProblem } from "../../api/client";
import { Button } from "../../components/ui/Button";
import { ErrorState } from "../../components/ui/ErrorState";
import { SelectField } from "../../components/ui/SelectField";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { useAgentVersions } from "../agents/editor/hooks";
import type { AgentDetail } from "../agents/hooks";
import type { Run } from "../runs/run-detail/graph-model";
import type { PlaygroundDraft } from "./draft";
import { useCompareRuns, useLiveRun, type RunRequest } from "./hooks";
import type { CompareSide, PlaygroundView } from "./playground-view";
import { RunAnswer } from "./RunAnswer";
import { RunFigures, RunStatus } from "./RunFigures";
import { RunStartAlert } from "./RunStartAlert";
import type { JsonSchema } from "./schema-input";
import { SchemaInputFields, useSchemaInput } from "./StructuredInput";
import { useSingleFlight } from "../../lib/use-single-flight";

interface CompareRunsProps {
  workspaceId: string;
  /** The agent as the draft was started from. */
  agent: AgentDetail;
  draft: PlaygroundDraft;
  /** The input schema both sides share, if any: the input is then a form. */
  inputSchema: JsonSchema | null;
  canWrite: boolean;
  view: PlaygroundView;
  onChange: (changes: Partial<PlaygroundView>) => void;
}

/** The sides the address asks for, or: the current version against the draft (or the one before). */
export function comparedSides(
  view: Pick<PlaygroundView, "left" | "right">,
  currentVersion: number,
  dirty: boolean,
): [CompareSide, CompareSide] {
  const valid = (side: CompareSide | null) =>
    side === "draft" || (side !== null && side <= currentVersion) ? side : null;
  const fallback = dirty ? "draft" : Math.max(1, currentVersion - 1);
  return [valid(view.left) ?? currentVersion, valid(view.right) ?? fallback];
}

/** What a run of one side asks for: that version, or the draft (the current version unchanged). */
export function sideRequest(
  side: CompareSide,
  input: RunRequest["input"],
  draft: PlaygroundDraft,
  currentVersion: number,
): RunRequest {
  if (side !== "draft") {
    return { input, version: side };
  }
  return draft.state === "changed"
    ? { input, draft: draft.definition }
    : { input, version: currentVersion };
}

function sideParam(value: string): CompareSide {
  return value === "draft" ? "draft" : Number(value);
}

/** Two versions of the agent (or a version and the draft) on one input, side by side. */
export function CompareRuns({
  workspaceId,
  agent,
  draft,
  inputSchema,
  canWrite,
  view,
  onChange,
}: CompareRunsProps) {
  const current = agent.current_version;
  const dirty = draft.state !== "saved";
  const [left, right] = comparedSides(view, current, dirty);
  const versions = useAgentVersions(workspaceId, agent.id);
  const listed = versions.data?.pages.flatMap((page) => page.items) ?? [];
  const numbers = [
    ...new Set([
      current,
      ...listed.map((version) => version.number),
      ...[left, right].filter((side): side is number => side !== "draft"),
    ]),
  ].sort((first, second) => second - first);
  const versionNumbers = new Map(listed.map((version) => [version.id, version.number]));
  const compare = useCompareRuns(workspaceId, agent.id);
  const compareOnce = useSingleFlight(compare);
  const [input, setInput] = useState("");
  const structured = useSchemaInput(inputSchema);
  const headingId = useId();
  const blocked = !canWrite
    ? "Viewers of a team can read runs but not start them."
    : draft.state === "invalid" && (left === "draft" || right === "draft")
      ? "Correct the draft definition above to run it."
      : left === right
        ? "Choose two different sides to compare."
        : null;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (blocked !== null) {
      return;
    }
    const text = inputSchema ? structured.take() : input.trim();
    if (text === null || text === "") {
      return;
    }
    compareOnce(
      [sideRequest(left, text, draft, current), sideRequest(right, text, draft, current)],
      {
        onSuccess: ([leftRun, rightRun]) => {
          onChange({ agent: agent.id, left, right, leftRun: leftRun.id, rightRun: rightRun.id });
        },
      },
    );
  }
  const options = (
    <>
      <option value="draft">
        {dirty ? "Draft (unsaved changes)" : `Draft (same as version ${current})`}
      </option>
      {numbers.map((number) => (
        <option key={number} value={number}>
          Version {number}
          {number === current ? " (current)" : ""}
        </option>
      ))}
    </>
  );

  return (
    <section aria-labelledby={headingId} className="space-y-5">
      <h2 id={headingId} className="sr-only">
        Compare
      </h2>
      <form
        onSubmit={submit}
        aria-label="Compare two versions"
        className="glass space-y-4 rounded-2xl p-5"
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField
            label="Left"
            value={String(left)}
            onChange={(event) => {
              onChange({ left: sideParam(event.target.value) });
            }}
          >
            {options}
          </SelectField>
          <SelectField
            label="Right"
            value={String(right)}
            onChange={(event) => {
              onChange({ right: sideParam(event.target.value) });
            }}
          >
            {options}
          </SelectField>
        </div>
        {inputSchema ? (
          <SchemaInputFields input={structured} />
        ) : (
          <TextAreaField
            label="Input for both"
            rows={3}
            value={input}
            maxLength={20_000}
            onChange={(event) => {
              setInput(event.target.value);
            }}
          />
        )}
        <RunStartAlert workspaceId={workspaceId} error={compare.error} />
        <div className="flex flex-wrap items-center gap-3">
          <p role="status" className="text-sm text-slate-400 sm:mr-auto">
            {blocked}
          </p>
          <Button
            type="submit"
            className="ml-auto"
            loading={compare.isPending}
            disabled={blocked !== null || (inputSchema === null && input.trim() === "")}
          >
            Run both
          </Button>
        </div>
      </form>
      <div className="grid gap-4 lg:grid-cols-2">
        <CompareColumn
          workspaceId={workspaceId}
          label="Left"
          runId={view.leftRun}
          versionNumbers={versionNumbers}
          canWrite={canWrite}
        />
        <CompareColumn
          workspaceId={workspaceId}
          label="Right"
          runId={view.rightRun}
          versionNumbers={versionNumbers}
          canWrite={canWrite}
        />
      </div>
    </section>
  );
}

/** Which definition a run ran: the draft, or a version by its number. */
function ranDefinition(run: Run, versionNumbers: ReadonlyMap<string, number>): string {
  if (run.draft) {
    return "Draft";
  }
  const number = versionNumbers.get(run.agent_version_id);
  return number === undefined ? "A saved version" : `Version ${number}`;
}

interface CompareColumnProps {
  workspaceId: string;
  label: string;
  runId: string | null;
  versionNumbers: ReadonlyMap<string, number>;
  canWrite: boolean;
}

/** One side's run: what it ran, its answer as it streams, its status and figures. */
function CompareColumn({
  workspaceId,
  label,
  runId,
  versionNumbers,
  canWrite,
}: CompareColumnProps) {
  const live = useLiveRun(workspaceId, runId);
  const { run } = live;
  return (
    <section
      aria-label={`${label} run`}
      data-testid="compare-column"
      data-run-id={runId ?? ""}
      className="glass min-w-0 space-y-3 rounded-2xl p-5"
    >
      {runId === null ? (
        <p className="text-sm text-slate-400">{label}: run both sides to see its answer here.</p>
      ) : live.query.isError ? (
        <ErrorState
          title="The run could not be loaded"
          message={live.query.error.message}
          requestId={live.query.error instanceof ApiProblem ? live.query.error.requestId : null}
          onRetry={() => void live.query.refetch()}
          retrying={live.query.isFetching}
        />
      ) : run === undefined ? (
        <LoadingRegion label="Loading the run">
          <Skeleton className="h-24" />
        </LoadingRegion>
      ) : (
        <div aria-live="polite" className="space-y-3">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="text-base font-semibold text-white">
              {label}: {ranDefinition(run, versionNumbers)}
            </h3>
            <RunStatus run={run} />
          </div>
          <RunAnswer
            workspaceId={workspaceId}
            run={run}
            streamedText={live.streamedText}
            stream={live.stream}
            canDecide={canWrite}
          />
          <RunFigures workspaceId={workspaceId} run={run} totals={live.totals} />
        </div>
      )}
    </section>
  );
}
