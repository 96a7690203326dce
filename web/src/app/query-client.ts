import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";

import { ApiProblem, isSessionEnded } from "../api/client";
import { meQueryKey } from "../features/session/use-me";

function isMeQuery(queryKey: readonly unknown[]): boolean {
  return queryKey.length === meQueryKey.length && queryKey[0] === meQueryKey[0];
}

/** Retries only what may succeed on a second try: network failures and server errors. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiProblem && error.status !== 0 && error.status < 500) {
    return false;
  }
  return failureCount < 2;
}

/**
 * The app's query client. When any request finds the session gone (it expired, or was
 * signed out elsewhere), the current user is fetched again: that fails too, and the
 * signed-in pages send the user to sign in.
 */
export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isSessionEnded(error) && !isMeQuery(query.queryKey)) {
          void queryClient.invalidateQueries({ queryKey: meQueryKey, exact: true });
        }
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isSessionEnded(error)) {
          void queryClient.invalidateQueries({ queryKey: meQueryKey, exact: true });
        }
      },
    }),
    defaultOptions: {
      queries: { staleTime: 15_000, retry: shouldRetry },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
