import { useState } from "react";

import { CheckboxField } from "../../components/ui/CheckboxField";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { TextField } from "../../components/ui/TextField";
import { classNames } from "../../lib/class-names";
import {
  buildInput,
  fieldsOf,
  initialInput,
  switchMode,
  type InputField,
  type JsonSchema,
  type StructuredInputState,
} from "./schema-input";

/** A form's structured input: its state, and what a try to send found wrong with it. */
export function useSchemaInput(schema: JsonSchema | null) {
  const [state, setState] = useState(() => (schema ? initialInput(schema) : null));
  const [problem, setProblem] = useState<{
    message: string;
    fields: Record<string, string>;
  } | null>(null);
  return {
    schema,
    state,
    setState,
    problem,
    /** The input to send, or null when it is not right (the form then says why). */
    take: (): Record<string, unknown> | null => {
      if (!schema || !state) {
        return null;
      }
      const built = buildInput(schema, state);
      setProblem(built.ok ? null : built);
      return built.ok ? built.value : null;
    },
    /** A fresh form, after a send. */
    reset: () => {
      if (schema) {
        setState(initialInput(schema));
      }
    },
  };
}

export type SchemaInput = ReturnType<typeof useSchemaInput>;

/** The structured input with what is wrong with it, for an agent with an input schema. */
export function SchemaInputFields({ input }: { input: SchemaInput }) {
  if (!input.schema || !input.state) {
    return null;
  }
  return (
    <>
      <FormAlert message={input.problem?.message ?? null} />
      <StructuredInput
        schema={input.schema}
        state={input.state}
        onChange={input.setState}
        errors={input.problem?.fields ?? {}}
      />
    </>
  );
}

interface StructuredInputProps {
  schema: JsonSchema;
  state: StructuredInputState;
  onChange: (state: StructuredInputState) => void;
  /** Each field's problem, by property name, from the last try to send. */
  errors: Record<string, string>;
}

/** The input of an agent with an input schema: a form of its fields, or the JSON object. */
export function StructuredInput({ schema, state, onChange, errors }: StructuredInputProps) {
  const fields = fieldsOf(schema);
  const setValue = (name: string, value: string | boolean) => {
    onChange({ ...state, values: { ...state.values, [name]: value } });
  };
  return (
    <fieldset className="space-y-3">
      <legend className="sr-only">Input</legend>
      {fields && (
        <div role="group" aria-label="Input as" className="inline-flex rounded-lg bg-white/5 p-0.5">
          {(["form", "json"] as const).map((mode) => (
            <button
              key={mode}
              type="button"
              aria-pressed={state.mode === mode}
              className={classNames(
                "rounded-md px-3 py-1 text-xs font-medium",
                state.mode === mode ? "bg-white/12 text-white" : "text-slate-400 hover:text-white",
              )}
              onClick={() => {
                onChange(switchMode(schema, state, mode));
              }}
            >
              {mode === "form" ? "Form" : "JSON"}
            </button>
          ))}
        </div>
      )}
      {fields && state.mode === "form" ? (
        <div className="grid gap-3 sm:grid-cols-2">
          {fields.map((field) => (
            <FieldInput
              key={field.name}
              field={field}
              value={state.values[field.name] ?? ""}
              error={errors[field.name]}
              onChange={(value) => {
                setValue(field.name, value);
              }}
            />
          ))}
        </div>
      ) : (
        <TextAreaField
          label="Input (JSON)"
          rows={6}
          monospace
          value={state.json}
          maxLength={20_000}
          description="An object matching the agent's input schema."
          onChange={(event) => {
            onChange({ ...state, json: event.target.value });
          }}
        />
      )}
    </fieldset>
  );
}

interface FieldInputProps {
  field: InputField;
  value: string | boolean;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
}

function FieldInput({ field, value, error, onChange }: FieldInputProps) {
  const label = field.required ? field.label : `${field.label} (optional)`;
  const description = field.description ?? undefined;
  const text = typeof value === "string" ? value : "";
  switch (field.kind) {
    case "boolean":
      return (
        <CheckboxField
          label={field.label}
          description={description}
          checked={value === true}
          onChange={(event) => {
            onChange(event.target.checked);
          }}
        />
      );
    case "choice":
      return (
        <SelectField
          label={label}
          description={description}
          error={error}
          value={text}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        >
          {!field.required && <option value="">None</option>}
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </SelectField>
      );
    case "long-text":
    case "json":
      return (
        <TextAreaField
          label={label}
          description={field.kind === "json" ? (description ?? "JSON.") : description}
          error={error}
          rows={field.kind === "json" ? 3 : 4}
          className="sm:col-span-2"
          monospace={field.kind === "json"}
          value={text}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        />
      );
    default:
      return (
        <TextField
          label={label}
          description={description}
          error={error}
          inputMode={field.kind === "text" ? undefined : "decimal"}
          value={text}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        />
      );
  }
}
