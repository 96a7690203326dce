import type { MouseEvent, ReactNode } from "react";
import { Link, NavLink, Outlet, useParams } from "react-router";

import { buttonClasses } from "../../components/ui/Button";
import { EmptyState } from "../../components/ui/EmptyState";
import { Logo } from "../../components/ui/Logo";
import { classNames } from "../../lib/class-names";
import { findWorkspace, homePath, useSignedInMe } from "../session/use-me";
import { DemoBanner } from "../demo/DemoBanner";
import { EmailVerificationBanner } from "./EmailVerificationBanner";
import { SignOutButton } from "./SignOutButton";
import type { CurrentWorkspace } from "./use-current-workspace";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

function focusMain(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  document.getElementById("main")?.focus();
}

function NavItem({ to, end, children }: { to: string; end?: boolean; children: ReactNode }) {
  return (
    <NavLink
      to={to}
      end={end ?? false}
      className={({ isActive }) =>
        classNames(
          "flex items-center gap-2.5 rounded-lg px-3 py-2 text-sm font-medium transition-colors",
          isActive
            ? "bg-white/10 text-white shadow-[inset_2px_0_0_0_var(--color-luna-400)]"
            : "text-slate-300 hover:bg-white/6 hover:text-white",
        )
      }
    >
      {children}
    </NavLink>
  );
}

/** The signed-in layout: workspace switcher and navigation beside the page. */
export function AppShell() {
  const me = useSignedInMe();
  const { workspaceId } = useParams();
  const current = findWorkspace(me, workspaceId);
  const base = `/w/${workspaceId ?? ""}`;

  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[17rem_1fr]">
      <a
        href="#main"
        onClick={focusMain}
        className="sr-only z-50 rounded-lg bg-luna-600 px-4 py-2 text-white focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
      >
        Skip to content
      </a>
      <aside className="border-b border-white/8 bg-night/40 backdrop-blur-xl lg:sticky lg:top-0 lg:flex lg:h-screen lg:flex-col lg:border-r lg:border-b-0">
        <div className="flex flex-col gap-5 p-5 lg:min-h-0 lg:flex-1 lg:overflow-y-auto">
          <Link to={homePath(me)} className="self-start rounded-lg" aria-label="Luna home">
            <Logo />
          </Link>
          <WorkspaceSwitcher me={me} currentWorkspaceId={current?.workspace.id} />
          <div className="flex flex-wrap gap-1 lg:flex-col lg:gap-5">
            <nav aria-label="Workspace pages" className="flex flex-wrap gap-1 lg:flex-col">
              <NavItem to={base} end>
                Home
              </NavItem>
              <NavItem to={`${base}/agents`}>Agents</NavItem>
              <NavItem to={`${base}/playground`}>Playground</NavItem>
              <NavItem to={`${base}/runs`}>Runs</NavItem>
              <NavItem to={`${base}/usage`}>Usage</NavItem>
              <NavItem to={`${base}/api-keys`}>API keys</NavItem>
              <NavItem to={`${base}/providers`}>Providers</NavItem>
              <NavItem to={`${base}/members`}>Members</NavItem>
              <NavItem to={`${base}/billing`}>Billing</NavItem>
              <NavItem to={`${base}/sso`}>SSO</NavItem>
              <NavItem to={`${base}/audit-log`}>Audit log</NavItem>
            </nav>
            <nav aria-label="Account" className="flex flex-wrap gap-1 lg:flex-col">
              <p className="hidden px-3 pt-2 text-xs font-semibold tracking-wide text-slate-400 uppercase lg:block">
                Account
              </p>
              <NavItem to={`${base}/account/security`}>Security</NavItem>
              <NavItem to={`${base}/account/sessions`}>Sessions</NavItem>
              <NavItem to={`${base}/settings`}>Settings</NavItem>
            </nav>
          </div>
        </div>
        <div className="flex items-center justify-between gap-3 border-t border-white/8 p-5">
          <div className="min-w-0 text-sm">
            <p className="truncate font-medium text-white">{me.user.display_name}</p>
            <p className="truncate text-xs text-slate-400">{me.user.email}</p>
          </div>
          <SignOutButton variant="ghost" />
        </div>
      </aside>
      <div className="min-w-0">
        {!me.user.email_verified && <EmailVerificationBanner email={me.user.email} />}
        {current?.workspace.demo && <DemoBanner {...current} />}
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto w-full max-w-6xl px-6 py-10 focus:outline-none"
        >
          {current ? (
            <Outlet context={current satisfies CurrentWorkspace} />
          ) : (
            <>
              <title>Workspace not found · Luna</title>
              <EmptyState
                title="Workspace not found"
                action={
                  <Link to={homePath(me)} className={buttonClasses("secondary")}>
                    Go to your workspace
                  </Link>
                }
              >
                This workspace does not exist, or you are not a member of it.
              </EmptyState>
            </>
          )}
        </main>
      </div>
    </div>
  );
}
