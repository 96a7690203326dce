import { useId, type InputHTMLAttributes, type Ref } from "react";

import { classNames } from "../../lib/class-names";

export const fieldControlClasses = classNames(
  "block w-full rounded-lg border border-white/12 bg-night/60 px-3 py-2 text-sm text-slate-100",
  "placeholder:text-slate-500 transition-colors duration-150",
  "hover:border-white/25 focus:border-luna-400 focus-visible:outline-2 focus-visible:outline-halo",
  "aria-invalid:border-rose-400 disabled:opacity-60",
);

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  /** Guidance shown under the field. */
  description?: string;
  /** The field's error; shown under it and announced with it. */
  error?: string | undefined;
  ref?: Ref<HTMLInputElement>;
}

/** A labelled input with its description and error tied to it for assistive technology. */
export function TextField({ label, description, error, className, ref, ...props }: TextFieldProps) {
  const id = useId();
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const describedBy = [description && descriptionId, error && errorId].filter(Boolean).join(" ");
  return (
    <div className={classNames("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-200">
        {label}
      </label>
      <input
        ref={ref}
        id={id}
        className={fieldControlClasses}
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

export function FieldErrorMessage({ id, children }: { id: string; children: string }) {
  return (
    <p id={id} className="flex items-start gap-1.5 text-xs font-medium text-rose-300">
      <svg
        className="mt-px size-3.5 shrink-0"
        viewBox="0 0 20 20"
        fill="currentColor"
        aria-hidden="true"
      >
        <path
          fillRule="evenodd"
          d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16ZM9.25 6a.75.75 0 0 1 1.5 0v4.5a.75.75 0 0 1-1.5 0V6ZM10 14.5a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
          clipRule="evenodd"
        />
      </svg>
      {children}
    </p>
  );
}
