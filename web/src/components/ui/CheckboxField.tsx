import { useId, type InputHTMLAttributes } from "react";

interface CheckboxFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "type"> {
  label: string;
  description?: string;
}

export function CheckboxField({ label, description, ...props }: CheckboxFieldProps) {
  const id = useId();
  const descriptionId = `${id}-description`;
  return (
    <div className="flex gap-3 rounded-lg px-2 py-1.5 hover:bg-white/4">
      <input
        id={id}
        type="checkbox"
        className="mt-0.5 size-4 shrink-0 rounded border-white/20 bg-night accent-luna-500"
        aria-describedby={description ? descriptionId : undefined}
        {...props}
      />
      <div className="min-w-0">
        <label htmlFor={id} className="block text-sm font-medium text-slate-200">
          {label}
        </label>
        {description && (
          <p id={descriptionId} className="text-xs text-slate-400">
            {description}
          </p>
        )}
      </div>
    </div>
  );
}
