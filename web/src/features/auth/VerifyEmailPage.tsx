import { Link, useSearchParams } from "react-router";

import { Alert } from "../../components/ui/Alert";
import { Button, buttonClasses } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { formErrors } from "../../lib/form-errors";
import { AuthHeading } from "./AuthLayout";
import { useVerifyEmail } from "./hooks";

/**
 * Reached from the emailed link `/verify-email?token=...` (with `change=1` when the user
 * asked to move the account to a new address). The token is single-use, so it
 * is spent by a press of the button rather than by merely opening the page (mail scanners
 * open links too).
 */
export function VerifyEmailPage() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get("token");
  const verify = useVerifyEmail(searchParams.get("change") === "1");
  const errors = formErrors(verify.error, []);

  if (!token) {
    return (
      <>
        <AuthHeading title="This link is incomplete" />
        <Alert tone="error">
          The confirmation link has no token. Open the link from the email again; once signed in,
          you can ask for a new one.
        </Alert>
      </>
    );
  }

  if (verify.isSuccess) {
    return (
      <>
        <AuthHeading title="Email address confirmed" />
        <div className="space-y-5">
          <Alert tone="success">Thank you: your email address is confirmed.</Alert>
          <Link to="/" className={buttonClasses("primary")}>
            Continue to Luna
          </Link>
        </div>
      </>
    );
  }

  return (
    <>
      <AuthHeading title="Confirm your email address">
        Confirming tells us this address is yours, so that you can recover your account.
      </AuthHeading>
      <div className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <Button
          className="w-full"
          loading={verify.isPending}
          onClick={() => {
            verify.mutate({ token });
          }}
        >
          Confirm email address
        </Button>
        {verify.isError && (
          <p className="text-sm text-slate-400">
            Signed in? The banner at the top of Luna sends a new link.{" "}
            <Link to="/" className="text-luna-300 hover:text-luna-200">
              Go to Luna
            </Link>
          </p>
        )}
      </div>
    </>
  );
}
