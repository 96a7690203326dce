import { useEffect, useRef } from "react";

/** How long typing must pause before a search is sent. */
export const SEARCH_DELAY_MS = 300;

/**
 * A function that calls `callback` with its latest argument once calls have paused for
 * `delay` milliseconds; a pending call is dropped when the component goes away.
 */
export function useDebouncedCallback<T>(callback: (value: T) => void, delay = SEARCH_DELAY_MS) {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
    },
    [],
  );
  const debounced = (value: T) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      callback(value);
    }, delay);
  };
  /** Calls at once, dropping a pending call. */
  debounced.now = (value: T) => {
    clearTimeout(timer.current);
    callback(value);
  };
  return debounced;
}
