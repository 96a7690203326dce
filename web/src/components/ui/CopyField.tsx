import { useId, useRef, useState } from "react";

import { Button } from "./Button";
import { fieldControlClasses } from "./TextField";
import { classNames } from "../../lib/class-names";

type CopyStatus = "idle" | "copied" | "failed";

const STATUS_TEXT: Record<CopyStatus, string> = {
  idle: "",
  copied: "Copied to the clipboard.",
  failed: "Copying is blocked here: the text is selected, press Ctrl+C (or ⌘C) to copy it.",
};

interface CopyFieldProps {
  label: string;
  value: string;
  /** Focus (and so select) the value when it appears. */
  autoFocus?: boolean;
}

/** A read-only value with a button that copies it, and a spoken confirmation. */
export function CopyField({ label, value, autoFocus = false }: CopyFieldProps) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<CopyStatus>("idle");

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setStatus("copied");
    } catch {
      inputRef.current?.select();
      setStatus("failed");
    }
  }

  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-200">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          ref={inputRef}
          id={id}
          readOnly
          autoFocus={autoFocus}
          value={value}
          spellCheck={false}
          onFocus={(event) => {
            event.currentTarget.select();
          }}
          className={classNames(fieldControlClasses, "font-mono text-xs")}
        />
        <Button variant="secondary" onClick={() => void copy()}>
          {status === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      <p role="status" className="min-h-4 text-xs text-slate-400">
        {STATUS_TEXT[status]}
      </p>
    </div>
  );
}
