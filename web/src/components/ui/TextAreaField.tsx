import { useId, type Ref, type TextareaHTMLAttributes } from "react";

import { classNames } from "../../lib/class-names";
import { FieldErrorMessage, fieldControlClasses } from "./TextField";

interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id"> {
  label: string;
  /** Guidance shown under the field. */
  description?: string;
  /** The field's error; shown under it and announced with it. */
  error?: string | undefined;
  /** Code or JSON: the text (not the label) in a monospaced font. */
  monospace?: boolean;
  ref?: Ref<HTMLTextAreaElement>;
}

/** A labelled multi-line text box, with its description and error tied to it. */
export function TextAreaField({
  label,
  description,
  error,
  className,
  monospace = false,
  ref,
  ...props
}: TextAreaFieldProps) {
  const id = useId();
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const describedBy = [description && descriptionId, error && errorId].filter(Boolean).join(" ");
  return (
    <div className={classNames("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-200">
        {label}
      </label>
      <textarea
        ref={ref}
        id={id}
        className={classNames(
          fieldControlClasses,
          "min-h-20 resize-y read-only:text-slate-300",
          monospace && "font-mono",
        )}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...props}
      />
      {description && (
        <p id={descriptionId} className="text-xs text-slate-400">
          {description}
        </p>
      )}
      {error && <FieldErrorMessage id={errorId}>{error}</FieldErrorMessage>}
    </div>
  );
}
