import { Link } from "react-router";

import { buttonClasses } from "../../components/ui/Button";
import { EmptyState } from "../../components/ui/EmptyState";
import { Logo } from "../../components/ui/Logo";

export function NotFoundPage() {
  return (
    <div className="mx-auto flex min-h-screen max-w-lg flex-col justify-center gap-8 px-6">
      <title>Page not found · Luna</title>
      <Logo />
      <main>
        <h1 className="sr-only">Page not found</h1>
        <EmptyState
          title="There is nothing at this address"
          action={
            <Link to="/" className={buttonClasses("secondary")}>
              Go to Luna
            </Link>
          }
        >
          The link may be mistyped, or the page has moved.
        </EmptyState>
      </main>
    </div>
  );
}
