import { useRef } from "react";
import { Link } from "react-router";

import { ApiProblem } from "../../api/client";
import { buttonClasses } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { Section } from "../../components/ui/Section";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { useSessions } from "../account/hooks";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { TwoFactorCard } from "./TwoFactorCard";

function sessionsSummary(count: number): string {
  if (count === 1) {
    return "Only this browser is signed in to your account.";
  }
  return `${count} browsers are signed in to your account, this one included.`;
}

function SessionsCard({ base }: { base: string }) {
  const sessions = useSessions();
  if (sessions.isPending) {
    return (
      <LoadingRegion label="Loading your sessions">
        <Skeleton className="h-24 rounded-2xl" />
      </LoadingRegion>
    );
  }
  if (sessions.isError) {
    return (
      <ErrorState
        title="Your sessions could not be loaded"
        message={sessions.error.message}
        requestId={sessions.error instanceof ApiProblem ? sessions.error.requestId : null}
        onRetry={() => void sessions.refetch()}
        retrying={sessions.isFetching}
      />
    );
  }
  return (
    <Card className="flex flex-col gap-4 p-5 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm text-slate-300">{sessionsSummary(sessions.data.length)}</p>
      <Link to={`${base}/account/sessions`} className={buttonClasses("secondary")}>
        Review sessions
      </Link>
    </Card>
  );
}

/** The account's security: two-factor authentication and the signed-in browsers. */
export function SecurityPage() {
  const { workspace } = useCurrentWorkspace();
  const twoFactorHeadingRef = useRef<HTMLHeadingElement>(null);
  const base = `/w/${workspace.id}`;
  return (
    <>
      <title>Security · Luna</title>
      <PageHeader
        title="Security"
        description={
          <>
            How your account is protected. Your password and email address are in{" "}
            <Link to={`${base}/settings`} className="text-luna-300 underline hover:text-luna-200">
              settings
            </Link>
            .
          </>
        }
      />
      <div className="space-y-12">
        <Section
          title="Two-factor authentication"
          headingRef={twoFactorHeadingRef}
          description="A second step when you sign in: a code from an app on your phone."
        >
          <TwoFactorCard headingRef={twoFactorHeadingRef} />
        </Section>
        <Section
          title="Sessions"
          description="Sign out any browser you do not recognise, then change your password."
        >
          <SessionsCard base={base} />
        </Section>
      </div>
    </>
  );
}
