import { Link, useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button, buttonClasses } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { formErrors } from "../../lib/form-errors";
import { AuthHeading } from "../auth/AuthLayout";
import { homePath, useSignedInMe } from "../session/use-me";
import { SignOutButton } from "../shell/SignOutButton";
import { useAcceptInvitation } from "./hooks";

/**
 * Reached from the emailed link `/invitations/accept?token=...`, signed in (the sign-in
 * page brings the user back here). Accepting is a button press: the token is single-use.
 */
export function AcceptInvitationPage() {
  const me = useSignedInMe();
  const [searchParams] = useSearchParams();
  const token = searchParams.get("token");
  const accept = useAcceptInvitation();
  const errors = formErrors(accept.error, []);
  const wrongAccount = accept.error instanceof ApiProblem && accept.error.code === "forbidden";

  if (!token) {
    return (
      <>
        <AuthHeading title="This link is incomplete" />
        <Alert tone="error">
          The invitation link has no token. Open the link from the email again, or ask for a new
          invitation.
        </Alert>
      </>
    );
  }

  if (accept.isSuccess) {
    const team = accept.data;
    const workspace = team.workspaces[0];
    return (
      <>
        <AuthHeading title={`Welcome to ${team.name}`} />
        <div className="space-y-5">
          <Alert tone="success">
            You joined {team.name} as {team.role}.
          </Alert>
          <Link
            to={workspace ? `/w/${workspace.id}` : homePath(me)}
            className={buttonClasses("primary")}
          >
            {workspace ? `Open ${workspace.name}` : "Continue to Luna"}
          </Link>
        </div>
      </>
    );
  }

  return (
    <>
      <AuthHeading title="Join a team">
        You were invited to a team on Luna. You are signed in as{" "}
        <strong className="text-slate-200">{me.user.email}</strong>.
      </AuthHeading>
      <div className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        {wrongAccount ? (
          <SignOutButton
            variant="primary"
            returnTo={`/invitations/accept?${searchParams.toString()}`}
          />
        ) : (
          <Button
            className="w-full"
            loading={accept.isPending}
            onClick={() => {
              accept.mutate(token);
            }}
          >
            Accept the invitation
          </Button>
        )}
        <p className="text-center text-sm text-slate-400">
          <Link to={homePath(me)} className="text-luna-300 hover:text-luna-200">
            Not now: go to my workspace
          </Link>
        </p>
      </div>
    </>
  );
}
