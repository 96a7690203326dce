import { EmptyState } from "../../components/ui/EmptyState";
import { Logo } from "../../components/ui/Logo";
import { SignOutButton } from "../shell/SignOutButton";
import { useSignedInMe } from "./use-me";

/** A signed-in user who belongs to no workspace (they left or were removed from all). */
export function NoWorkspacePage() {
  const me = useSignedInMe();
  return (
    <div className="mx-auto flex min-h-screen max-w-lg flex-col justify-center gap-8 px-6">
      <title>No workspace · Luna</title>
      <Logo />
      <main>
        <h1 className="sr-only">No workspace</h1>
        <EmptyState title="You are not in any workspace" action={<SignOutButton />}>
          {me.user.email} is signed in but belongs to no workspace. Ask a teammate to invite you, or
          sign in with another account.
        </EmptyState>
      </main>
    </div>
  );
}
