import { useQuery } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { useNavigate } from "react-router";

import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { Skeleton } from "../../components/ui/Skeleton";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { formErrors } from "../../lib/form-errors";
import { useSingleFlight } from "../../lib/use-single-flight";
import { agentQuery, useStartRun } from "../onboarding/hooks";
import type { JsonSchema } from "../playground/schema-input";
import { SchemaInputFields, useSchemaInput } from "../playground/StructuredInput";

interface NewRunDialogProps {
  workspaceId: string;
  open: boolean;
  onClose: () => void;
  /** The agents to choose from, or the one agent to run. */
  agents: readonly { id: string; name: string }[];
}

/** Starts a run of an agent on an input (a form for an agent with an input schema), then opens it. */
export function NewRunDialog({ workspaceId, open, onClose, agents }: NewRunDialogProps) {
  const [agentId, setAgentId] = useState(agents[0]?.id ?? "");
  return (
    <Dialog open={open} onClose={onClose} title="New run" size="lg">
      {agents.length > 1 && (
        <SelectField
          label="Agent"
          className="mb-4"
          value={agentId}
          onChange={(event) => {
            setAgentId(event.target.value);
          }}
        >
          {agents.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.name}
            </option>
          ))}
        </SelectField>
      )}
      {agentId && (
        <RunInputForm
          key={agentId}
          workspaceId={workspaceId}
          agentId={agentId}
          onCancel={onClose}
        />
      )}
    </Dialog>
  );
}

function RunInputForm({
  workspaceId,
  agentId,
  onCancel,
}: {
  workspaceId: string;
  agentId: string;
  onCancel: () => void;
}) {
  const agent = useQuery(agentQuery(workspaceId, agentId));
  if (agent.isPending) {
    return <Skeleton className="h-32" />;
  }
  const schema: JsonSchema | null = agent.data?.definition.input_schema ?? null;
  return (
    <InputForm
      workspaceId={workspaceId}
      agentId={agentId}
      name={agent.data?.name ?? "the agent"}
      schema={schema}
      onCancel={onCancel}
    />
  );
}

interface InputFormProps {
  workspaceId: string;
  agentId: string;
  name: string;
  schema: JsonSchema | null;
  onCancel: () => void;
}

function InputForm({ workspaceId, agentId, name, schema, onCancel }: InputFormProps) {
  const navigate = useNavigate();
  const start = useStartRun(workspaceId);
  const startOnce = useSingleFlight(start);
  const structured = useSchemaInput(schema);
  const [text, setText] = useState("");
  const errors = formErrors(start.error, ["input"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = schema ? structured.take() : text.trim();
    if (input === null || input === "") {
      return;
    }
    startOnce(
      { agentId, input },
      { onSuccess: (run) => void navigate(`/w/${workspaceId}/runs/${run.id}`) },
    );
  }

  return (
    <form onSubmit={submit} aria-label={`Run ${name}`} className="space-y-4">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      {schema ? (
        <SchemaInputFields input={structured} />
      ) : (
        <TextAreaField
          label={`What should ${name} do?`}
          rows={6}
          required
          maxLength={20_000}
          value={text}
          error={errors.fields.input}
          onChange={(event) => {
            setText(event.target.value);
          }}
        />
      )}
      <div className="flex justify-end gap-3">
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={start.isPending} disabled={!schema && text.trim() === ""}>
          Run
        </Button>
      </div>
    </form>
  );
}
