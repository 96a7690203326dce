import { useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { ConcurrentChangeAlert } from "../agents/editor/ConcurrentChangeAlert";
import { saveFailure, type FieldMessages } from "../agents/editor/editor-form";
import { agentQuery, useUpdateAgent } from "../agents/editor/hooks";
import { ModelFields } from "../agents/editor/ModelFields";
import { ToolsField } from "../agents/editor/ToolsField";
import { PlanLimitOrFormAlert } from "../agents/PlanLimitAlert";
import type { DraftState } from "./use-draft";

interface DraftEditorProps {
  workspaceId: string;
  draft: DraftState;
  canWrite: boolean;
}

/**
 * The definition the playground runs: the agent's instructions, model and tools, edited
 * in place. Runs use the edits without saving them; saving makes them a new version.
 */
export function DraftEditor({ workspaceId, draft, canWrite }: DraftEditorProps) {
  const { base, values, dirty } = draft;
  const queryClient = useQueryClient();
  const update = useUpdateAgent(workspaceId, base.id);
  const [notice, setNotice] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);
  const headingId = useId();
  const toolsErrorId = useId();
  const { conflict, planLimit, errors: serverErrors } = saveFailure(update.error);
  const errors: FieldMessages =
    draft.draft.state === "invalid" ? draft.draft.errors : serverErrors.fields;
  const readOnly = !canWrite;

  const save = () => {
    if (draft.draft.state !== "changed") {
      return;
    }
    setNotice(null);
    update.mutate(draft.draft.save, {
      onSuccess: (saved) => {
        draft.startFrom(saved);
        setNotice(`Saved as version ${saved.current_version}, which the agent runs from now on.`);
      },
    });
  };
  const reload = async () => {
    setReloading(true);
    try {
      const latest = await queryClient.query({
        ...agentQuery(workspaceId, base.id),
        staleTime: 0,
      });
      update.reset();
      draft.startFrom(latest);
    } finally {
      setReloading(false);
    }
  };

  return (
    <section
      aria-labelledby={headingId}
      data-testid="draft-editor"
      data-dirty={dirty}
      className="glass space-y-4 rounded-2xl p-5"
    >
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={headingId} className="text-base font-semibold text-white">
          Definition
        </h2>
        <span role="status" data-testid="draft-status">
          {dirty ? (
            <Badge tone="warning">Draft: unsaved changes to version {base.current_version}</Badge>
          ) : (
            <Badge>Version {base.current_version}</Badge>
          )}
        </span>
        {canWrite && (
          <div className="ml-auto flex gap-2">
            <Button
              variant="ghost"
              size="sm"
              disabled={!dirty || update.isPending}
              onClick={() => {
                setNotice(null);
                update.reset();
                draft.discard();
              }}
            >
              Discard
            </Button>
            <Button
              variant="secondary"
              size="sm"
              disabled={draft.draft.state !== "changed"}
              loading={update.isPending}
              onClick={save}
            >
              Save as new version
            </Button>
          </div>
        )}
      </div>
      <p className="text-sm text-slate-400">
        {dirty
          ? "Runs use this draft; the agent keeps its saved version until you save."
          : "Edit the definition to try changes: runs use them without changing the agent."}
      </p>
      {notice && <Alert tone="success">{notice}</Alert>}
      {conflict && (
        <ConcurrentChangeAlert reloading={reloading} onReload={() => void reload()}>
          Someone saved a version since you started this draft, so it was not saved. Reload the
          agent to start again from its latest version; reloading discards this draft.
        </ConcurrentChangeAlert>
      )}
      <PlanLimitOrFormAlert planLimit={planLimit} error={serverErrors} workspaceId={workspaceId} />
      <div className="grid gap-5 lg:grid-cols-2">
        <TextAreaField
          label="Instructions"
          rows={12}
          className="[&_textarea]:font-mono"
          value={values.instructions}
          readOnly={readOnly}
          spellCheck={false}
          description="The agent's system prompt."
          error={errors.instructions}
          onChange={(event) => {
            setNotice(null);
            draft.change({ instructions: event.target.value });
          }}
        />
        <div className="min-w-0 space-y-5">
          <ModelFields
            workspaceId={workspaceId}
            values={values}
            errors={errors}
            readOnly={readOnly}
            onChange={(changes) => {
              setNotice(null);
              draft.change(changes);
            }}
          />
          <ToolsField
            tools={values.tools}
            readOnly={readOnly}
            error={errors.tools}
            errorId={toolsErrorId}
            onChange={(tools) => {
              setNotice(null);
              draft.change({ tools });
            }}
          />
        </div>
      </div>
    </section>
  );
}
