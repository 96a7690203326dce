import { useQuery } from "@tanstack/react-query";
import { useId, type SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { fieldControlClasses, FieldErrorMessage } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { agentQuery, useRecordOnboarding, useStartRun } from "./hooks";

/** A first input that every catalog agent can do something useful with. */
export const EXAMPLE_INPUT =
  "Review this function and suggest a fix:\n\ndef average(values):\n    return sum(values) / len(values)";

interface FirstRunStepProps {
  workspaceId: string;
  agentId: string;
}

/** Step 3: the picked agent's first run, with an input the person may change. */
export function FirstRunStep({ workspaceId, agentId }: FirstRunStepProps) {
  const agent = useQuery(agentQuery(workspaceId, agentId));
  const start = useStartRun(workspaceId);
  const record = useRecordOnboarding(workspaceId);
  const id = useId();
  const errors = formErrors(start.error ?? record.error, ["input"]);
  const name = agent.data?.name ?? "your agent";

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = textField(new FormData(event.currentTarget), "input");
    start.mutate(
      { agentId, input },
      {
        onSuccess: (run) => {
          record.mutate({ run_id: run.id });
        },
      },
    );
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <div className="space-y-1.5">
        <label htmlFor={id} className="block text-sm font-medium text-slate-200">
          What should {name} do?
        </label>
        <textarea
          id={id}
          name="input"
          required
          rows={7}
          maxLength={20_000}
          defaultValue={EXAMPLE_INPUT}
          className={`${fieldControlClasses} font-mono`}
          aria-invalid={errors.fields.input ? true : undefined}
          aria-describedby={errors.fields.input ? `${id}-error` : undefined}
        />
        {errors.fields.input && (
          <FieldErrorMessage id={`${id}-error`}>{errors.fields.input}</FieldErrorMessage>
        )}
      </div>
      <Button type="submit" loading={start.isPending || record.isPending}>
        Run {name}
      </Button>
    </form>
  );
}
