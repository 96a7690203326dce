/** Adds a succeeded run to one of its agent's eval suites, as a case. */
import { useState, type SubmitEvent } from "react";
import { Link } from "react-router";

import { ApiProblem } from "../../../api/client";
import { Alert } from "../../../components/ui/Alert";
import { Button, buttonClasses } from "../../../components/ui/Button";
import { CheckboxField } from "../../../components/ui/CheckboxField";
import { Dialog } from "../../../components/ui/Dialog";
import { FormAlert } from "../../../components/ui/FormAlert";
import { SelectField } from "../../../components/ui/SelectField";
import { LoadingRegion, Skeleton } from "../../../components/ui/Skeleton";
import { TextField } from "../../../components/ui/TextField";
import { textField } from "../../../lib/form-data";
import { formErrors } from "../../../lib/form-errors";
import { countCases } from "../../evals/eval-format";
import { useAddCaseFromRun, useSuites, type EvalCase, type Suite } from "../../evals/hooks";
import type { Run, Step } from "./graph-model";

/** A case just made from a run, and the suite it was added to. */
export interface AddedCase {
  runId: string;
  suite: Suite;
  added: EvalCase;
}

/** The agent's Evaluations page, on `suiteId` when given (kept in the address as `?suite=`). */
export function evalsPath(workspaceId: string, agentId: string, suiteId?: string): string {
  const path = `/w/${workspaceId}/agents/${agentId}/evals`;
  return suiteId ? `${path}?suite=${encodeURIComponent(suiteId)}` : path;
}

/**
 * The tools the run called, in order; null when the graph holds only part of the run (it
 * may have called tools among the steps left out).
 */
export function toolCallsOf(run: Run, steps: readonly Step[]): string[] | null {
  if (run.step_count > steps.length) {
    return null;
  }
  return steps.filter((step) => step.kind === "tool_call").map((step) => step.name ?? "tool");
}

const TOOLS_LISTED = 5;

/** "search, fetch", or "search, fetch, … and 3 more" for a long list. */
function toolList(tools: readonly string[]): string {
  const listed = tools.slice(0, TOOLS_LISTED).join(", ");
  const more = tools.length - TOOLS_LISTED;
  return more > 0 ? `${listed}, … and ${more} more` : listed;
}

interface AddToSuiteButtonProps {
  workspaceId: string;
  /** A succeeded run. */
  run: Run;
  /** The steps the page has of the run. */
  steps: readonly Step[];
  onOpen: () => void;
  onAdded: (added: AddedCase) => void;
}

/** The run page's "Add to eval suite" action and its dialog. */
export function AddToSuiteButton({
  workspaceId,
  run,
  steps,
  onOpen,
  onAdded,
}: AddToSuiteButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="secondary"
        aria-haspopup="dialog"
        onClick={() => {
          onOpen();
          setOpen(true);
        }}
      >
        Add to eval suite
      </Button>
      {open && (
        <AddToSuiteDialog
          workspaceId={workspaceId}
          run={run}
          toolCalls={toolCallsOf(run, steps)}
          onClose={() => {
            setOpen(false);
          }}
          onAdded={(added) => {
            setOpen(false);
            onAdded(added);
          }}
        />
      )}
    </>
  );
}

/** Where the dialog shows what the API refused. */
interface AddErrors {
  suite: string | undefined;
  name: string | undefined;
  message: string | null;
  requestId: string | null;
}

/**
 * A refusal placed: a full suite (409 `too-many-cases`) at the suite's select, a bad name
 * at its field, and the run refused (422 at `#/run_id`, which the form does not show) in
 * the form's alert.
 */
function addErrors(error: unknown): AddErrors {
  const errors = formErrors(error, ["name", "run_id"]);
  if (error instanceof ApiProblem && error.problem.reason === "too-many-cases") {
    return {
      suite: error.problem.detail,
      name: undefined,
      message: null,
      requestId: errors.requestId,
    };
  }
  return {
    suite: undefined,
    name: errors.fields.name,
    message: errors.fields.run_id ?? errors.message,
    requestId: errors.requestId,
  };
}

interface AddToSuiteDialogProps {
  workspaceId: string;
  run: Run;
  /** The tools the run called, in order; null when the page does not know them all. */
  toolCalls: string[] | null;
  onClose: () => void;
  onAdded: (added: AddedCase) => void;
}

export function AddToSuiteDialog({
  workspaceId,
  run,
  toolCalls,
  onClose,
  onAdded,
}: AddToSuiteDialogProps) {
  const suites = useSuites(workspaceId, run.agent_id);
  const add = useAddCaseFromRun(workspaceId, run.agent_id);
  const [suiteId, setSuiteId] = useState<string | null>(null);
  const items = suites.data ?? [];
  const chosen = items.find((suite) => suite.id === suiteId) ?? items[0] ?? null;
  const errors = addErrors(add.error);
  const offerTools = toolCalls === null || toolCalls.length > 0;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!chosen) {
      return;
    }
    const form = new FormData(event.currentTarget);
    add.mutate(
      {
        suiteId: chosen.id,
        body: {
          run_id: run.id,
          name: textField(form, "name").trim(),
          expect_same_output: form.has("expect_same_output"),
          expect_same_tools: offerTools && form.has("expect_same_tools"),
        },
      },
      {
        onSuccess: (added) => {
          onAdded({ runId: run.id, suite: chosen, added });
        },
      },
    );
  }

  let body;
  if (suites.isPending) {
    body = (
      <LoadingRegion label="Loading the agent's suites">
        <div className="space-y-4">
          <Skeleton className="h-16" />
          <Skeleton className="h-16" />
        </div>
      </LoadingRegion>
    );
  } else if (suites.isError) {
    const failed = formErrors(suites.error, []);
    body = (
      <div className="space-y-5">
        <FormAlert message={failed.message} requestId={failed.requestId} />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={suites.isFetching} onClick={() => void suites.refetch()}>
            Try again
          </Button>
        </div>
      </div>
    );
  } else if (!chosen) {
    body = (
      <div className="space-y-5">
        <p className="text-sm text-slate-300">
          This agent has no eval suite yet. Create one on its Evaluations page, then add the run to
          it.
        </p>
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Link to={evalsPath(workspaceId, run.agent_id)} className={buttonClasses("primary")}>
            Go to Evaluations
          </Link>
        </div>
      </div>
    );
  } else {
    body = (
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <SelectField
          label="Suite"
          name="suite"
          value={chosen.id}
          error={errors.suite}
          onChange={(event) => {
            setSuiteId(event.target.value);
            add.reset();
          }}
        >
          {items.map((suite) => (
            <option key={suite.id} value={suite.id}>
              {`${suite.name} (${countCases(suite.case_count)})`}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Case name"
          name="name"
          maxLength={200}
          placeholder={`from ${run.id}`}
          description="Optional."
          autoComplete="off"
          error={errors.name}
        />
        <fieldset className="space-y-2">
          <legend className="mb-2 text-sm font-semibold text-white">Checks</legend>
          <CheckboxField
            label="Expect the same answer"
            name="expect_same_output"
            defaultChecked
            description="The run's answer becomes the expected output."
          />
          {offerTools && (
            <CheckboxField
              label="Require the same tool calls, in order"
              name="expect_same_tools"
              description={
                toolCalls === null
                  ? "The tools the run called become required, in their order."
                  : `Called: ${toolList(toolCalls)}.`
              }
            />
          )}
        </fieldset>
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={add.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={add.isPending}>
            Add case
          </Button>
        </div>
      </form>
    );
  }

  return (
    <Dialog
      open
      title="Add to eval suite"
      description="The run's input becomes a new case of the suite."
      onClose={onClose}
      dismissible={!add.isPending}
    >
      {body}
    </Dialog>
  );
}

/** Says which suite the run was added to, with a link to it. */
export function AddedToSuiteNotice({
  workspaceId,
  added,
}: {
  workspaceId: string;
  added: AddedCase;
}) {
  const { suite } = added;
  return (
    <Alert tone="success" className="mb-6">
      {`${added.added.name} is added to ${suite.name}. `}
      <Link
        to={evalsPath(workspaceId, suite.agent_id, suite.id)}
        className="font-medium underline underline-offset-4"
      >
        Open the suite
      </Link>
    </Alert>
  );
}
