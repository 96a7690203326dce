import { useQueryClient } from "@tanstack/react-query";
import type { SubmitEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { safeNextPath, withNext } from "../session/next-path";
import { chosenPlan, firstPath } from "../onboarding/paths";
import { meQueryKey } from "../session/use-me";
import { AuthHeading } from "./AuthLayout";
import { useSignUp } from "./hooks";
import { NewPasswordField } from "./NewPasswordField";
import { useSingleFlight } from "../../lib/use-single-flight";

export function SignUpPage() {
  const signUp = useSignUp();
  const signUpOnce = useSingleFlight(signUp);
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get("next"));
  const plan = chosenPlan(searchParams.get("plan"));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errors = formErrors(signUp.error, ["display_name", "email", "password"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    signUpOnce(
      {
        display_name: textField(form, "display_name"),
        email: textField(form, "email"),
        password: textField(form, "password"),
      },
      {
        onSuccess: (me) => {
          queryClient.setQueryData(meQueryKey, me);
          void navigate(next ?? firstPath(me, plan), { replace: true });
        },
      },
    );
  }

  return (
    <>
      <AuthHeading title="Create your Luna account">
        Free on the Starter plan. Your own team and workspace come with it.
      </AuthHeading>
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <TextField
          label="Your name"
          name="display_name"
          autoComplete="name"
          required
          maxLength={200}
          error={errors.fields.display_name}
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          maxLength={320}
          error={errors.fields.email}
        />
        <NewPasswordField
          label="Password"
          name="password"
          description="10 to 128 characters. A passphrase of a few unrelated words works well."
          error={errors.fields.password}
        />
        <Button type="submit" className="w-full" loading={signUp.isPending}>
          Create account
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-400">
        Already have an account?{" "}
        <Link
          to={withNext("/sign-in", next)}
          className="font-medium text-luna-300 hover:text-luna-200"
        >
          Sign in
        </Link>
      </p>
    </>
  );
}
