import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState, type SubmitEvent } from "react";

import { Alert } from "../../../components/ui/Alert";
import { Button } from "../../../components/ui/Button";
import { Card } from "../../../components/ui/Card";
import { SelectField } from "../../../components/ui/SelectField";
import { TextAreaField } from "../../../components/ui/TextAreaField";
import { TextField } from "../../../components/ui/TextField";
import type { AgentDetail } from "../hooks";
import { PlanLimitOrFormAlert } from "../PlanLimitAlert";
import { ConcurrentChangeAlert } from "./ConcurrentChangeAlert";
import {
  changedFields,
  saveFailure,
  saveRequest,
  valuesOf,
  type AgentStatus,
  type EditorValues,
  type FieldMessages,
} from "./editor-form";
import { useUpdateAgent } from "./hooks";
import { ModelFields } from "./ModelFields";
import { ToolsField } from "./ToolsField";

interface AgentEditorFormProps {
  workspaceId: string;
  /** The agent as the server last answered it. */
  agent: AgentDetail;
  canWrite: boolean;
  /** Fetches the agent again, for a save refused because someone else changed it. */
  onReload: () => Promise<AgentDetail>;
  /** Tells the page whether the form holds unsaved changes. */
  onDirtyChange: (dirty: boolean) => void;
}

function isStatus(value: string): value is AgentStatus {
  return value === "active" || value === "archived";
}

/** The agent's name, status and definition, saved together as one change. */
export function AgentEditorForm({
  workspaceId,
  agent,
  canWrite,
  onReload,
  onDirtyChange,
}: AgentEditorFormProps) {
  // `base` is the agent the edits started from: its version is the one a save expects.
  const [base, setBase] = useState(agent);
  const [values, setValues] = useState(() => valuesOf(agent));
  const [invalid, setInvalid] = useState<FieldMessages>({});
  const [notice, setNotice] = useState<string | null>(null);
  const saved = useMemo(() => valuesOf(base), [base]);
  const changed = changedFields(saved, values);
  const dirty = changed.length > 0;
  const update = useUpdateAgent(workspaceId, agent.id);
  const toolsErrorId = useId();

  const startFrom = (latest: AgentDetail) => {
    setBase(latest);
    setValues(valuesOf(latest));
    setInvalid({});
  };
  // A newer agent from the server replaces an untouched form; edits are never overwritten.
  if (agent !== base && !dirty) {
    startFrom(agent);
  }
  useEffect(() => {
    onDirtyChange(dirty);
    if (!dirty) {
      return;
    }
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("beforeunload", warn);
    };
  }, [dirty, onDirtyChange]);
  const startAfresh = (latest: AgentDetail) => {
    startFrom(latest);
    update.reset();
  };

  const reload = useMutation({ mutationFn: onReload, onSuccess: startAfresh });
  const { conflict, planLimit, errors: serverErrors } = saveFailure(update.error);
  const errors: FieldMessages = update.error && !conflict ? serverErrors.fields : invalid;
  const definitionChanged = changed.some(
    (field) => !["name", "description", "tags", "status"].includes(field),
  );
  const outdated =
    agent.current_version !== base.current_version || agent.updated_at !== base.updated_at;
  const readOnly = !canWrite;

  const change = (changes: Partial<EditorValues>) => {
    setNotice(null);
    setValues((current) => ({ ...current, ...changes }));
  };

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const request = saveRequest(saved, values, base.current_version);
    update.reset();
    if (!request.ok) {
      setInvalid(request.errors);
      return;
    }
    setInvalid({});
    update.mutate(request.body, {
      onSuccess: (result) => {
        startAfresh(result);
        setNotice(
          result.current_version !== base.current_version
            ? `Saved as version ${result.current_version}, which the agent runs from now on.`
            : "Saved.",
        );
      },
    });
  }

  return (
    <Card className="p-6">
      <form onSubmit={submit} aria-label="Agent" noValidate className="space-y-6">
        {readOnly && (
          <Alert tone="info">
            You can read this agent but not change it: viewers of a team have read-only access.
          </Alert>
        )}
        {notice && <Alert tone="success">{notice}</Alert>}
        {conflict ? (
          <ConcurrentChangeAlert
            reloading={reload.isPending}
            onReload={() => {
              reload.mutate();
            }}
            reloadError={reload.isError ? reload.error.message : null}
          >
            Someone saved a change since you opened it, so your changes were not saved. Reload it to
            see the latest version; reloading discards your changes here.
          </ConcurrentChangeAlert>
        ) : (
          outdated && (
            <Alert tone="info">
              Someone else changed this agent (it is now at version {agent.current_version}) while
              you were editing. Saving will be refused: discard your changes to load theirs.
            </Alert>
          )
        )}
        <PlanLimitOrFormAlert
          planLimit={planLimit}
          error={serverErrors}
          workspaceId={workspaceId}
        />

        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_12rem]">
          <TextField
            label="Name"
            value={values.name}
            maxLength={100}
            autoComplete="off"
            readOnly={readOnly}
            error={errors.name}
            onChange={(event) => {
              change({ name: event.target.value });
            }}
          />
          <SelectField
            label="Status"
            value={values.status}
            disabled={readOnly}
            error={errors.status}
            description={
              values.status === "archived" ? "Hidden from lists; runs are kept." : undefined
            }
            onChange={(event) => {
              if (isStatus(event.target.value)) {
                change({ status: event.target.value });
              }
            }}
          >
            <option value="active">Active</option>
            <option value="archived">Archived</option>
          </SelectField>
        </div>
        <TextAreaField
          label="Description"
          rows={2}
          maxLength={2000}
          value={values.description}
          readOnly={readOnly}
          error={errors.description}
          onChange={(event) => {
            change({ description: event.target.value });
          }}
        />
        <TextField
          label="Tags"
          value={values.tags}
          autoComplete="off"
          readOnly={readOnly}
          description="Separated by commas, in lower case with dashes: code-review, security."
          error={errors.tags}
          onChange={(event) => {
            change({ tags: event.target.value });
          }}
        />
        <TextAreaField
          label="Instructions"
          rows={16}
          className="[&_textarea]:font-mono"
          value={values.instructions}
          readOnly={readOnly}
          spellCheck={false}
          description="What the agent does and how: its system prompt."
          error={errors.instructions}
          onChange={(event) => {
            change({ instructions: event.target.value });
          }}
        />
        <ModelFields
          workspaceId={workspaceId}
          values={values}
          errors={errors}
          readOnly={readOnly}
          onChange={change}
        />
        <ToolsField
          tools={values.tools}
          readOnly={readOnly}
          error={errors.tools}
          errorId={toolsErrorId}
          onChange={(tools) => {
            change({ tools });
          }}
        />
        <TextAreaField
          label="Advanced definition (JSON)"
          rows={10}
          className="[&_textarea]:font-mono"
          value={values.advanced}
          readOnly={readOnly}
          spellCheck={false}
          description="The MCP servers the agent may call (mcp_servers), and the JSON Schemas of a run's input (input_schema) and structured output (output_schema)."
          error={errors.advanced}
          onChange={(event) => {
            change({ advanced: event.target.value });
          }}
        />

        {canWrite && (
          <div className="flex flex-col gap-3 border-t border-white/10 pt-5 sm:flex-row sm:items-center">
            <p role="status" className="text-sm text-slate-400 sm:mr-auto">
              {dirty
                ? definitionChanged
                  ? `Unsaved changes: saving makes version ${base.current_version + 1}.`
                  : "Unsaved changes."
                : "No unsaved changes."}
            </p>
            <Button
              variant="ghost"
              disabled={!dirty || update.isPending}
              onClick={() => {
                setNotice(null);
                startAfresh(agent);
              }}
            >
              Discard
            </Button>
            <Button type="submit" disabled={!dirty} loading={update.isPending}>
              Save changes
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
