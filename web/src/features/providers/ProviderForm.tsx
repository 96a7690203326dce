import { useState, type SubmitEvent } from "react";

import type { Schemas } from "../../api/client";
import { Button } from "../../components/ui/Button";
import { CheckboxField } from "../../components/ui/CheckboxField";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useCreateProvider, type Provider, type ProviderKind } from "./hooks";
import { PROVIDER_KINDS, isProviderKind, kindDescription } from "./provider-kinds";
import { useSingleFlight } from "../../lib/use-single-flight";

// The fields that show their own errors; the API's other objections go above the form.
const FIELDS = ["kind", "name", "base_url", "api_key", "default_model"] as const;

export interface ProviderFormProps {
  /** The workspace the provider is added to. */
  workspaceId: string;
  /** Called with the provider once the API has stored it. */
  onCreated: (provider: Provider) => void;
  /** Shows a Cancel button beside the submit button when given. */
  onCancel?: () => void;
  /** The kind selected at first; Anthropic unless told. */
  initialKind?: ProviderKind;
  /** The submit button's text; "Add provider" unless told. */
  submitLabel?: string;
}

/** The body of a new provider from the form: blank optional fields are sent as null. */
export function providerCreateBody(form: FormData, kind: ProviderKind): Schemas["ProviderCreate"] {
  const optional = (name: string) => textField(form, name).trim() || null;
  return {
    kind,
    name: textField(form, "name").trim(),
    base_url: optional("base_url"),
    api_key: optional("api_key"),
    default_model: optional("default_model"),
    is_default: form.get("is_default") === "on",
  };
}

/**
 * Connects a model provider to a workspace: its kind, name, base URL, API key and default
 * model. The API's objections show next to the field they are about.
 */
export function ProviderForm({
  workspaceId,
  onCreated,
  onCancel,
  initialKind = "anthropic",
  submitLabel = "Add provider",
}: ProviderFormProps) {
  const create = useCreateProvider(workspaceId);
  const createOnce = useSingleFlight(create);
  const [kind, setKind] = useState<ProviderKind>(initialKind);
  const described = kindDescription(kind);
  const errors = formErrors(create.error, FIELDS);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    createOnce(providerCreateBody(new FormData(event.currentTarget), kind), {
      onSuccess: (provider) => {
        onCreated(provider);
      },
    });
  }

  return (
    <form onSubmit={submit} className="space-y-5">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <SelectField
        label="Kind"
        value={kind}
        onChange={(event) => {
          if (isProviderKind(event.target.value)) {
            setKind(event.target.value);
          }
        }}
        error={errors.fields.kind}
      >
        {PROVIDER_KINDS.map((entry) => (
          <option key={entry.kind} value={entry.kind}>
            {entry.label}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Name"
        name="name"
        required
        maxLength={100}
        autoComplete="off"
        placeholder={kind === "openai_compatible" ? "Local Ollama" : described.label}
        description="How agents and the team recognise it."
        error={errors.fields.name}
      />
      <TextField
        label={described.needsBaseUrl ? "Base URL" : "Base URL (optional)"}
        name="base_url"
        type="url"
        inputMode="url"
        required={described.needsBaseUrl}
        maxLength={500}
        autoComplete="off"
        spellCheck={false}
        placeholder={described.baseUrlPlaceholder}
        description={described.baseUrlDescription}
        error={errors.fields.base_url}
      />
      <TextField
        label={described.needsApiKey ? "API key" : "API key (optional)"}
        name="api_key"
        type="password"
        required={described.needsApiKey}
        maxLength={1000}
        autoComplete="new-password"
        spellCheck={false}
        description={described.apiKeyDescription}
        error={errors.fields.api_key}
      />
      <TextField
        label="Default model (optional)"
        name="default_model"
        maxLength={200}
        autoComplete="off"
        spellCheck={false}
        placeholder={described.modelPlaceholder}
        description="The model agents that name none run on. The workspace's default provider needs one."
        error={errors.fields.default_model}
      />
      <CheckboxField
        label="Make it the workspace's default provider"
        name="is_default"
        description="The first provider of a workspace becomes its default anyway."
      />
      <div className="flex justify-end gap-3">
        {onCancel && (
          <Button variant="ghost" onClick={onCancel} disabled={create.isPending}>
            Cancel
          </Button>
        )}
        <Button type="submit" loading={create.isPending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
