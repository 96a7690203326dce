import { useId, type ReactNode, type SelectHTMLAttributes } from "react";

import { classNames } from "../../lib/class-names";
import { FieldErrorMessage, fieldControlClasses } from "./TextField";

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> {
  label: string;
  description?: string;
  error?: string | undefined;
  children: ReactNode;
}

/** A labelled native select: keyboard and screen-reader behaviour come from the browser. */
export function SelectField({
  label,
  description,
  error,
  className,
  children,
  ...props
}: SelectFieldProps) {
  const id = useId();
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const describedBy = [description && descriptionId, error && errorId].filter(Boolean).join(" ");
  return (
    <div className={classNames("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-200">
        {label}
      </label>
      <div className="relative">
        <select
          id={id}
          className={classNames(fieldControlClasses, "appearance-none pr-9")}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          {...props}
        >
          {children}
        </select>
        <svg
          className="pointer-events-none absolute top-1/2 right-3 size-4 -translate-y-1/2 text-slate-400"
          viewBox="0 0 20 20"
          fill="currentColor"
          aria-hidden="true"
        >
          <path
            fillRule="evenodd"
            d="M5.22 8.22a.75.75 0 0 1 1.06 0L10 11.94l3.72-3.72a.75.75 0 1 1 1.06 1.06l-4.25 4.25a.75.75 0 0 1-1.06 0L5.22 9.28a.75.75 0 0 1 0-1.06Z"
            clipRule="evenodd"
          />
        </svg>
      </div>
      {description && (
        <p id={descriptionId} className="text-xs text-slate-400">
          {description}
        </p>
      )}
      {error && <FieldErrorMessage id={errorId}>{error}</FieldErrorMessage>}
    </div>
  );
}
