import { useQuery } from "@tanstack/react-query";
import type { SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { agentQuery, useRecordOnboarding, useStartRun } from "./hooks";
import { useSingleFlight } from "../../lib/use-single-flight";

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
  const startOnce = useSingleFlight(start);
  const record = useRecordOnboarding(workspaceId);
  const errors = formErrors(start.error ?? record.error, ["input"]);
  const name = agent.data?.name ?? "your agent";

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = textField(new FormData(event.currentTarget), "input");
    startOnce(
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
      <TextAreaField
        label={`What should ${name} do?`}
        name="input"
        required
        rows={7}
        maxLength={20_000}
        defaultValue={EXAMPLE_INPUT}
        monospace
        error={errors.fields.input}
      />
      <Button type="submit" loading={start.isPending || record.isPending}>
        Run {name}
      </Button>
    </form>
  );
}
