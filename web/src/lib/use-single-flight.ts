import type { MutateOptions, UseMutationResult } from "@tanstack/react-query";
import { useRef, type SubmitEvent } from "react";

/**
 * The mutation's `mutate`, refusing to start while an earlier call is in flight. A
 * double click (or Enter pressed twice) submits twice before React re-renders the
 * disabled button; this guard holds from the first call until its request settles, so
 * a create never sends two requests and never makes a second secret nobody sees. The
 * guard lifts when the request fails, so the form can be corrected and sent again.
 */
export function useSingleFlight<TData, TError, TVariables, TContext>(
  mutation: UseMutationResult<TData, TError, TVariables, TContext>,
): (variables: TVariables, options?: MutateOptions<TData, TError, TVariables, TContext>) => void {
  const inFlight = useRef(false);
  return (variables, options) => {
    if (inFlight.current) {
      return;
    }
    inFlight.current = true;
    mutation.mutate(variables, {
      ...options,
      onSettled: (...settled) => {
        inFlight.current = false;
        options?.onSettled?.(...settled);
      },
    });
  };
}

/**
 * A form's asynchronous submit handler that ignores a second submit while the first is
 * still running (the handler reports its own errors), for forms that chain requests.
 * Every submit is kept from the browser's own submission, the ignored one too.
 */
export function useExclusiveSubmit(
  submit: (form: HTMLFormElement) => Promise<void>,
): (event: SubmitEvent<HTMLFormElement>) => void {
  const running = useRef(false);
  return (event) => {
    event.preventDefault();
    if (running.current) {
      return;
    }
    running.current = true;
    void submit(event.currentTarget).finally(() => {
      running.current = false;
    });
  };
}
