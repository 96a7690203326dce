import { Badge } from "../../../components/ui/Badge";
import { CheckboxField } from "../../../components/ui/CheckboxField";
import { FieldErrorMessage } from "../../../components/ui/TextField";
import { BUILT_IN_TOOLS } from "./editor-form";
import type { ToolChoice, ToolName } from "./hooks";

interface ToolsFieldProps {
  tools: ToolChoice[];
  readOnly: boolean;
  error?: string | undefined;
  errorId: string;
  onChange: (tools: ToolChoice[]) => void;
}

function labelOf(name: ToolName): string {
  return BUILT_IN_TOOLS.find((tool) => tool.name === name)?.label ?? name;
}

/** The built-in tools the agent may call, and whether each call waits for approval. */
export function ToolsField({ tools, readOnly, error, errorId, onChange }: ToolsFieldProps) {
  const choiceOf = (name: ToolName) => tools.find((tool) => tool.name === name);
  const set = (name: ToolName, choice: ToolChoice | null) => {
    if (choice === null) {
      onChange(tools.filter((tool) => tool.name !== name));
    } else if (choiceOf(name) === undefined) {
      onChange([...tools, choice]);
    } else {
      onChange(tools.map((tool) => (tool.name === name ? choice : tool)));
    }
  };
  return (
    <fieldset className="space-y-2" aria-describedby={error ? errorId : undefined}>
      <legend className="mb-1 text-sm font-medium text-slate-200">Tools</legend>
      {readOnly ? (
        tools.length === 0 ? (
          <p className="text-sm text-slate-400">This agent calls no tools.</p>
        ) : (
          <ul aria-label="Tools the agent may call" className="space-y-1.5">
            {tools.map((tool) => (
              <li key={tool.name} className="flex items-center gap-2 text-sm text-slate-200">
                {labelOf(tool.name)}
                {tool.requires_approval && <Badge tone="warning">Needs approval</Badge>}
              </li>
            ))}
          </ul>
        )
      ) : (
        <ul className="grid gap-1 sm:grid-cols-2">
          {BUILT_IN_TOOLS.map((tool) => {
            const choice = choiceOf(tool.name);
            return (
              <li key={tool.name} className="rounded-lg border border-white/8 p-1">
                <CheckboxField
                  label={tool.label}
                  description={tool.summary}
                  checked={choice !== undefined}
                  onChange={(event) => {
                    set(
                      tool.name,
                      event.target.checked ? { name: tool.name, requires_approval: false } : null,
                    );
                  }}
                />
                {choice && (
                  <div className="pl-6">
                    <CheckboxField
                      label={`Approve each ${tool.label} call`}
                      checked={choice.requires_approval}
                      onChange={(event) => {
                        set(tool.name, { ...choice, requires_approval: event.target.checked });
                      }}
                    />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {error && <FieldErrorMessage id={errorId}>{error}</FieldErrorMessage>}
    </fieldset>
  );
}
