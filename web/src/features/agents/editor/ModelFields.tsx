import { SelectField } from "../../../components/ui/SelectField";
import { TextField } from "../../../components/ui/TextField";
import type { EditorField, EditorValues, FieldMessages } from "./editor-form";
import { useProviderChoices } from "./hooks";

interface ModelFieldsProps {
  workspaceId: string;
  values: EditorValues;
  errors: FieldMessages;
  readOnly: boolean;
  onChange: (changes: Partial<EditorValues>) => void;
}

const SETTINGS: {
  field: EditorField & ("temperature" | "topP" | "maxTokens" | "thinkingBudget");
  label: string;
  min: number;
  max: number;
  step: number | "any";
  description?: string;
}[] = [
  { field: "temperature", label: "Temperature", min: 0, max: 2, step: "any" },
  { field: "topP", label: "Top p", min: 0, max: 1, step: "any" },
  { field: "maxTokens", label: "Max tokens", min: 1, max: 200_000, step: 1 },
  {
    field: "thinkingBudget",
    label: "Thinking budget",
    min: 1024,
    max: 128_000,
    step: 1,
    description: "Tokens for extended thinking (Anthropic).",
  },
];

/** Which provider and model run the agent, and their sampling settings. */
export function ModelFields({ workspaceId, values, errors, readOnly, onChange }: ModelFieldsProps) {
  const providers = useProviderChoices(workspaceId);
  const chosen = providers.data?.find((provider) => provider.id === values.providerId);
  const unknownChoice = values.providerId !== "" && providers.isSuccess && !chosen;
  return (
    <fieldset className="space-y-4">
      <legend className="mb-1 text-sm font-medium text-slate-200">Model</legend>
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Provider"
          value={values.providerId}
          disabled={readOnly}
          error={errors.providerId}
          description={
            providers.isError
              ? "The workspace's providers could not be loaded."
              : values.providerId === ""
                ? "The workspace's default provider runs the agent, with its default model."
                : undefined
          }
          onChange={(event) => {
            onChange({ providerId: event.target.value });
          }}
        >
          <option value="">Workspace default</option>
          {providers.data?.map((provider) => (
            <option key={provider.id} value={provider.id}>
              {provider.name}
              {provider.is_default ? " (default)" : ""}
            </option>
          ))}
          {values.providerId !== "" && !chosen && (
            <option value={values.providerId}>
              {values.providerId}
              {unknownChoice ? " (not in this workspace)" : ""}
            </option>
          )}
        </SelectField>
        {values.providerId !== "" && (
          <TextField
            label="Model"
            value={values.model}
            readOnly={readOnly}
            autoComplete="off"
            placeholder={chosen?.default_model ?? undefined}
            error={errors.model}
            onChange={(event) => {
              onChange({ model: event.target.value });
            }}
          />
        )}
      </div>
      {values.providerId !== "" && (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {SETTINGS.map((setting) => (
            <TextField
              key={setting.field}
              label={setting.label}
              type="number"
              inputMode="decimal"
              min={setting.min}
              max={setting.max}
              step={setting.step}
              placeholder="Default"
              description={setting.description}
              value={values[setting.field]}
              readOnly={readOnly}
              error={errors[setting.field]}
              onChange={(event) => {
                onChange({ [setting.field]: event.target.value });
              }}
            />
          ))}
        </div>
      )}
    </fieldset>
  );
}
