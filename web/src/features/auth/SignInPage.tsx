import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { Alert } from "../../components/ui/Alert";
import { safeNextPath, withNext } from "../session/next-path";
import { homePath, meQuery, meQueryKey, type Me } from "../session/use-me";
import { AuthHeading } from "./AuthLayout";
import { MfaStep } from "./MfaStep";
import { PasswordStep } from "./PasswordStep";

const NOTICES: Partial<Record<string, string>> = {
  "signed-out": "You are signed out.",
  "signed-out-everywhere": "You are signed out on every device.",
  "account-deleted": "Your account was deleted.",
  "password-reset": "Your password is changed. Sign in with the new one.",
};

export function SignInPage() {
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get("next"));
  const notice = NOTICES[searchParams.get("reason") ?? ""];
  const [step, setStep] = useState<"password" | "mfa">("password");
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  function enter(me: Me) {
    queryClient.setQueryData(meQueryKey, me);
    void navigate(next ?? homePath(me), { replace: true });
  }

  async function enterAfterPassword(me: Me | null | undefined) {
    enter(me ?? (await queryClient.query(meQuery)));
  }

  if (step === "mfa") {
    return (
      <>
        <AuthHeading title="Two-factor authentication">
          Enter the six-digit code from your authenticator app.
        </AuthHeading>
        <MfaStep
          onVerified={enter}
          onStartOver={() => {
            setStep("password");
          }}
        />
      </>
    );
  }

  return (
    <>
      <AuthHeading title="Sign in to Luna">Welcome back.</AuthHeading>
      {notice && (
        <Alert tone="success" className="mb-5">
          {notice}
        </Alert>
      )}
      <PasswordStep
        onSignedIn={(me) => void enterAfterPassword(me)}
        onMfaRequired={() => {
          setStep("mfa");
        }}
      />
      <p className="mt-6 text-center text-sm text-slate-400">
        New to Luna?{" "}
        <Link
          to={withNext("/sign-up", next)}
          className="font-medium text-luna-300 hover:text-luna-200"
        >
          Create an account
        </Link>
      </p>
    </>
  );
}
