import { useState } from "react";

import { TextField } from "./TextField";
import { useDebouncedCallback } from "../../lib/debounce";

interface SearchFieldProps {
  label: string;
  /** The search in force (from the address, say). */
  value: string;
  /** Called once typing pauses, with the text trimmed. */
  onSearch: (q: string) => void;
  placeholder?: string;
  className?: string;
}

/** A search box that sends its text once typing pauses, not on every key. */
export function SearchField({ label, value, onSearch, placeholder, className }: SearchFieldProps) {
  const [draft, setDraft] = useState(value);
  const [shown, setShown] = useState(value);
  // The search changed from elsewhere (back button, a link): show it.
  if (value !== shown) {
    setShown(value);
    if (value !== draft.trim()) {
      setDraft(value);
    }
  }
  const search = useDebouncedCallback((text: string) => {
    onSearch(text.trim());
  });
  return (
    <TextField
      label={label}
      type="search"
      value={draft}
      autoComplete="off"
      placeholder={placeholder}
      className={className}
      onKeyDown={(event) => {
        // Enter searches at once rather than submitting a surrounding form.
        if (event.key === "Enter") {
          event.preventDefault();
          search.now(draft);
        }
      }}
      onChange={(event) => {
        setDraft(event.target.value);
        search(event.target.value);
      }}
    />
  );
}
