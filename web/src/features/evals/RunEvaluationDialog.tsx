import { useState, type SubmitEvent } from "react";
import { useNavigate } from "react-router";

import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { formErrors } from "../../lib/form-errors";
import type { Environment } from "../agents/environments/hooks";
import { countCases } from "./eval-format";
import { useStartEvalRun, type EvalTargetChoice, type Suite } from "./hooks";

/** A target the dialog offers: its value in the select, its words, what the API is sent. */
interface TargetOption {
  value: string;
  label: string;
  target: EvalTargetChoice;
}

/** The agent's current version, its environments, then each version, newest first. */
export function targetOptions(currentVersion: number, environments: Environment[]) {
  const current: TargetOption = {
    value: "current",
    label: `Current version (v${currentVersion})`,
    target: {},
  };
  const byEnvironment = environments.map<TargetOption>((environment) => ({
    value: `environment:${environment.name}`,
    label: `${environment.name} (v${environment.version})`,
    target: { environment: environment.name },
  }));
  const byVersion = Array.from(
    { length: currentVersion },
    (_, index) => currentVersion - index,
  ).map<TargetOption>((number) => ({
    value: `version:${number}`,
    label: `v${number}`,
    target: { version: number },
  }));
  return { current, byEnvironment, byVersion };
}

interface RunEvaluationDialogProps {
  workspaceId: string;
  agentId: string;
  suite: Suite;
  currentVersion: number;
  environments: Environment[];
  onClose: () => void;
}

/** Runs a suite against one target, or two compared case by case; opens the eval run. */
export function RunEvaluationDialog({
  workspaceId,
  agentId,
  suite,
  currentVersion,
  environments,
  onClose,
}: RunEvaluationDialogProps) {
  const start = useStartEvalRun(workspaceId, agentId);
  const navigate = useNavigate();
  const options = targetOptions(currentVersion, environments);
  const all = [options.current, ...options.byEnvironment, ...options.byVersion];
  const [first, setFirst] = useState(options.current.value);
  const [second, setSecond] = useState("");
  const [same, setSame] = useState(false);
  const errors = formErrors(start.error, ["targets"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const targets = [first, second]
      .filter(Boolean)
      .map((value) => all.find((option) => option.value === value)?.target)
      .filter((target): target is EvalTargetChoice => target !== undefined);
    const chosenSame = second !== "" && second === first;
    setSame(chosenSame);
    if (chosenSame) {
      return;
    }
    start.mutate(
      { suite_id: suite.id, targets },
      {
        onSuccess: (run) => {
          void navigate(`/w/${workspaceId}/agents/${agentId}/evals/runs/${run.id}`);
        },
      },
    );
  }

  const choices = (
    <>
      <option value={options.current.value}>{options.current.label}</option>
      {options.byEnvironment.length > 0 && (
        <optgroup label="Environments">
          {options.byEnvironment.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </optgroup>
      )}
      <optgroup label="Versions">
        {options.byVersion.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </optgroup>
    </>
  );

  return (
    <Dialog
      open
      title="Run evaluation"
      description={`${suite.name}: ${countCases(suite.case_count)}, each run as a run of its own.`}
      onClose={onClose}
      dismissible={!start.isPending}
    >
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <SelectField
          label="Target"
          name="first"
          value={first}
          error={errors.fields.targets}
          onChange={(event) => {
            setFirst(event.target.value);
            setSame(false);
          }}
        >
          {choices}
        </SelectField>
        <SelectField
          label="Compare with"
          name="second"
          value={second}
          description="Optional. The first target is the baseline: a case it passes and this one fails is a regression."
          error={same ? "Pick a different target to compare with." : undefined}
          onChange={(event) => {
            setSecond(event.target.value);
            setSame(false);
          }}
        >
          <option value="">Nothing</option>
          {choices}
        </SelectField>
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={start.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={start.isPending}>
            Start
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
