import { isRouteErrorResponse, useRouteError } from "react-router";

import { ErrorState } from "../../components/ui/ErrorState";
import { Logo } from "../../components/ui/Logo";

/** A page that failed to render: say so, and offer a reload (the usual cure after a deploy). */
export function RouteErrorPage() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : "An unexpected error stopped this page. Reloading usually helps; if it does not, tell us what you were doing.";
  return (
    <div className="mx-auto flex min-h-screen max-w-lg flex-col justify-center gap-8 px-6">
      <title>Something went wrong · Luna</title>
      <Logo />
      <main>
        <h1 className="sr-only">Something went wrong</h1>
        <ErrorState
          title="Something went wrong"
          message={message}
          onRetry={() => {
            window.location.reload();
          }}
        />
      </main>
    </div>
  );
}
