/** The dialogs that change suites and their cases. */
import { useId, useState, type ChangeEvent, type SubmitEvent } from "react";

import { ApiProblem } from "../../api/client";
import { Button } from "../../components/ui/Button";
import { CheckboxField } from "../../components/ui/CheckboxField";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { FieldErrorMessage, TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import {
  EMPTY_CASE,
  caseErrors,
  caseFormValues,
  caseFromForm,
  type CaseFormValues,
} from "./case-form";
import { TOOL_ORDERS, countCases } from "./eval-format";
import {
  importFormatOf,
  useAddCase,
  useCreateSuite,
  useDeleteCase,
  useDeleteSuite,
  useImportCases,
  useReplaceCase,
  type EvalCase,
  type Suite,
  type SuiteDetail,
} from "./hooks";

interface AgentScope {
  workspaceId: string;
  agentId: string;
}

export function NewSuiteDialog({
  workspaceId,
  agentId,
  onClose,
  onCreated,
}: AgentScope & { onClose: () => void; onCreated: (suite: SuiteDetail) => void }) {
  const create = useCreateSuite(workspaceId, agentId);
  const errors = formErrors(create.error, ["name", "description"]);
  const taken =
    create.error instanceof ApiProblem && create.error.problem.reason === "suite-exists"
      ? create.error.problem.detail
      : undefined;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate(
      {
        name: textField(form, "name").trim(),
        description: textField(form, "description").trim(),
      },
      { onSuccess: onCreated },
    );
  }

  return (
    <Dialog open title="New suite" onClose={onClose} dismissible={!create.isPending}>
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={taken ? null : errors.message} requestId={errors.requestId} />
        <TextField
          label="Name"
          name="name"
          required
          maxLength={100}
          placeholder="Regression"
          autoComplete="off"
          error={taken ?? errors.fields.name}
        />
        <TextAreaField
          label="Description"
          name="description"
          rows={2}
          maxLength={2000}
          description="Optional."
          error={errors.fields.description}
        />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create suite
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

interface CaseDialogProps extends AgentScope {
  suiteId: string;
  /** The case to edit; a new one when absent. */
  existing?: EvalCase;
  onClose: () => void;
  onSaved: (message: string) => void;
}

/** Adds a case to a suite, or changes one: its input and what its answer is held to. */
export function CaseDialog({
  workspaceId,
  agentId,
  suiteId,
  existing,
  onClose,
  onSaved,
}: CaseDialogProps) {
  const add = useAddCase(workspaceId, agentId, suiteId);
  const replace = useReplaceCase(workspaceId, agentId, suiteId);
  const saving = existing ? replace : add;
  const [localErrors, setLocalErrors] = useState<Partial<Record<string, string>>>({});
  const apiErrors = caseErrors(saving.error);
  const fields = { ...apiErrors.fields, ...localErrors };
  const values: CaseFormValues = existing ? caseFormValues(existing) : EMPTY_CASE;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = caseFromForm(new FormData(event.currentTarget));
    if ("fields" in parsed) {
      setLocalErrors(parsed.fields);
      return;
    }
    setLocalErrors({});
    if (existing) {
      replace.mutate(
        { id: existing.id, body: parsed.body },
        {
          onSuccess: (saved) => {
            onSaved(`${saved.name} is saved.`);
          },
        },
      );
    } else {
      add.mutate(parsed.body, {
        onSuccess: (suite) => {
          const added = suite.cases.at(-1);
          onSaved(`${added?.name ?? "The case"} is added.`);
        },
      });
    }
  }

  return (
    <Dialog
      open
      size="lg"
      title={existing ? `Edit ${existing.name}` : "Add case"}
      description="Every check is optional; a case with none passes when its run succeeds."
      onClose={onClose}
      dismissible={!saving.isPending}
    >
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={apiErrors.message} requestId={apiErrors.requestId} />
        <TextField
          label="Name"
          name="name"
          maxLength={200}
          defaultValue={values.name}
          placeholder="case 1"
          description="Optional: “case N” when empty."
          autoComplete="off"
          error={fields.name}
        />
        <TextAreaField
          label="Input"
          name="input"
          required
          rows={3}
          defaultValue={values.input}
          description="What the agent is asked."
          error={fields.input}
        />
        <fieldset className="space-y-4">
          <legend className="text-sm font-semibold text-white">Answer</legend>
          <TextAreaField
            label="Expected output"
            name="expected_output"
            rows={2}
            defaultValue={values.expectedOutput}
            description="The whole answer, surrounding spaces aside."
            error={fields.expected_output}
          />
          <TextAreaField
            label="Contains"
            name="contains"
            rows={2}
            defaultValue={values.contains}
            description="Texts the answer must contain, one per line."
            error={fields.contains}
          />
          <CheckboxField
            label="Case sensitive"
            name="case_sensitive"
            defaultChecked={values.caseSensitive}
          />
          <TextAreaField
            label="Output schema"
            name="output_schema"
            rows={3}
            monospace
            spellCheck={false}
            defaultValue={values.outputSchema}
            placeholder='{"type": "object", "required": ["total"]}'
            description="A JSON Schema the answer, read as JSON, must match."
            error={fields.output_schema}
          />
          <TextAreaField
            label="Rubric"
            name="rubric"
            rows={2}
            defaultValue={values.rubric}
            description="What a judge model looks for; it passes or fails the answer with a reason."
            error={fields.rubric}
          />
        </fieldset>
        <fieldset className="space-y-4">
          <legend className="text-sm font-semibold text-white">Tools</legend>
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="Required tools"
              name="required_tools"
              defaultValue={values.requiredTools}
              placeholder="http_fetch, calculator"
              description="Separated by commas."
              autoComplete="off"
              spellCheck={false}
              error={fields.required_tools}
            />
            <SelectField
              label="Tool order"
              name="tool_order"
              defaultValue={values.toolOrder}
              error={fields.tool_order}
            >
              {TOOL_ORDERS.map((order) => (
                <option key={order.value} value={order.value}>
                  {order.label}
                </option>
              ))}
            </SelectField>
          </div>
          <TextField
            label="Forbidden tools"
            name="forbidden_tools"
            defaultValue={values.forbiddenTools}
            description="Tools the run must not call, separated by commas."
            autoComplete="off"
            spellCheck={false}
            error={fields.forbidden_tools}
          />
        </fieldset>
        <fieldset className="space-y-4">
          <legend className="text-sm font-semibold text-white">Limits</legend>
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="Max cost (USD)"
              name="max_cost_usd"
              inputMode="decimal"
              pattern="[0-9]+(\.[0-9]{1,8})?"
              placeholder="0.05"
              defaultValue={values.maxCostUsd}
              error={fields.max_cost_usd}
            />
            <TextField
              label="Max latency (ms)"
              name="max_latency_ms"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              placeholder="5000"
              defaultValue={values.maxLatencyMs}
              error={fields.max_latency_ms}
            />
          </div>
        </fieldset>
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={saving.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isPending}>
            {existing ? "Save case" : "Add case"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function DeleteCaseDialog({
  workspaceId,
  agentId,
  suiteId,
  target,
  onClose,
  onDeleted,
}: AgentScope & {
  suiteId: string;
  target: EvalCase;
  onClose: () => void;
  onDeleted: (message: string) => void;
}) {
  const remove = useDeleteCase(workspaceId, agentId, suiteId);
  return (
    <ConfirmDialog
      title={`Delete ${target.name}?`}
      description="The suite gets a new revision; past eval runs keep their results."
      confirmLabel="Delete case"
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(target.id, {
          onSuccess: () => {
            onDeleted(`${target.name} is deleted.`);
          },
        });
      }}
    />
  );
}

export function DeleteSuiteDialog({
  workspaceId,
  agentId,
  suite,
  onClose,
  onDeleted,
}: AgentScope & { suite: Suite; onClose: () => void; onDeleted: (message: string) => void }) {
  const remove = useDeleteSuite(workspaceId, agentId);
  return (
    <ConfirmDialog
      title={`Delete ${suite.name}?`}
      description={`Its ${countCases(suite.case_count)} and eval runs are deleted; a release gate that uses it is lifted.`}
      confirmLabel="Delete suite"
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(suite.id, {
          onSuccess: () => {
            onDeleted(`${suite.name} is deleted.`);
          },
        });
      }}
    />
  );
}

/** Largest file the API takes. */
const MAX_IMPORT_BYTES = 5_000_000;

/** Appends the cases of a CSV or JSON Lines file to a suite. */
export function ImportCasesDialog({
  workspaceId,
  agentId,
  suiteId,
  onClose,
  onImported,
}: AgentScope & { suiteId: string; onClose: () => void; onImported: (message: string) => void }) {
  const fileId = useId();
  const hintId = useId();
  const errorId = useId();
  const importCases = useImportCases(workspaceId, agentId, suiteId);
  const [file, setFile] = useState<File | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const errors = formErrors(importCases.error, []);

  function choose(event: ChangeEvent<HTMLInputElement>) {
    setRefused(null);
    importCases.reset();
    setFile(event.target.files?.[0] ?? null);
  }

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) {
      setRefused("Choose a file.");
      return;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      setRefused("The file is larger than 5 MB.");
      return;
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
    } catch {
      setRefused("The file is not UTF-8 text.");
      return;
    }
    importCases.mutate(
      { text, format: importFormatOf(file.name) },
      {
        onSuccess: (result) => {
          onImported(`${countCases(result.imported)} imported into ${result.suite.name}.`);
        },
      },
    );
  }

  return (
    <Dialog
      open
      size="lg"
      title="Import cases"
      description="The cases are added after the suite's own; a bad line stops the import and nothing is added."
      onClose={onClose}
      dismissible={!importCases.isPending}
    >
      <form onSubmit={(event) => void submit(event)} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <div className="space-y-1.5">
          <label htmlFor={fileId} className="block text-sm font-medium text-slate-200">
            CSV or JSON Lines file
          </label>
          <input
            id={fileId}
            type="file"
            name="file"
            accept=".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"
            aria-describedby={refused ? `${hintId} ${errorId}` : hintId}
            aria-invalid={refused ? true : undefined}
            onChange={choose}
            className="block w-full text-sm text-slate-300 file:mr-3 file:rounded-md file:border-0 file:bg-white/10 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-100 hover:file:bg-white/15"
          />
          {refused && <FieldErrorMessage id={errorId}>{refused}</FieldErrorMessage>}
        </div>
        <div id={hintId} className="space-y-2 text-xs text-slate-400">
          <p>
            CSV: a header row with <code className="font-mono text-slate-300">input</code> and any
            of <code className="font-mono text-slate-300">name</code> and the checks; list checks
            split on <code className="font-mono text-slate-300">|</code>.
          </p>
          <pre className="overflow-x-auto rounded-lg bg-night/60 p-2 font-mono text-slate-300">
            {
              "name,input,expected_output,contains\nsums,What is 2+2?,4,\ncapital,Capital of France?,,Paris|paris"
            }
          </pre>
          <p>JSON Lines (.jsonl): one case object per line.</p>
          <pre className="overflow-x-auto rounded-lg bg-night/60 p-2 font-mono text-slate-300">
            {'{"name": "sums", "input": "What is 2+2?", "checks": {"expected_output": "4"}}'}
          </pre>
        </div>
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={importCases.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={importCases.isPending}>
            Import
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
