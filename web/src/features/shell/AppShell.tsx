import { Menu, X } from "lucide-react";
import { useId, useState, type MouseEvent } from "react";
import { Link, Outlet, useLocation, useParams } from "react-router";

import { buttonClasses } from "../../components/ui/Button";
import { EmptyState } from "../../components/ui/EmptyState";
import { Logo } from "../../components/ui/Logo";
import { classNames } from "../../lib/class-names";
import { findWorkspace, homePath, useSignedInMe } from "../session/use-me";
import { DemoBanner } from "../demo/DemoBanner";
import { EmailVerificationBanner } from "./EmailVerificationBanner";
import { ShellNav } from "./ShellNav";
import { SignOutButton } from "./SignOutButton";
import type { CurrentWorkspace } from "./use-current-workspace";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

function focusMain(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  document.getElementById("main")?.focus();
}

/**
 * The signed-in layout: workspace switcher and navigation beside the page on a wide screen,
 * behind a menu button on a phone.
 */
export function AppShell() {
  const me = useSignedInMe();
  const { workspaceId } = useParams();
  const current = findWorkspace(me, workspaceId);
  const base = `/w/${workspaceId ?? ""}`;
  const menuId = useId();
  const { pathname } = useLocation();
  // On a phone the navigation is a menu, closed again once a page is chosen.
  const [menuOpen, setMenuOpen] = useState(false);
  const [menuPath, setMenuPath] = useState(pathname);
  if (menuPath !== pathname) {
    setMenuPath(pathname);
    setMenuOpen(false);
  }

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
        <div className="flex items-center gap-3 px-4 py-3 lg:hidden">
          <Link to={homePath(me)} className="rounded-lg" aria-label="Luna home">
            <Logo />
          </Link>
          <span className="min-w-0 flex-1 truncate text-sm text-slate-300">
            {current?.workspace.name}
          </span>
          <button
            type="button"
            aria-expanded={menuOpen}
            aria-controls={menuId}
            onClick={() => {
              setMenuOpen((open) => !open);
            }}
            className={buttonClasses("secondary", "sm")}
          >
            {menuOpen ? (
              <X aria-hidden="true" className="size-4" />
            ) : (
              <Menu aria-hidden="true" className="size-4" />
            )}
            Menu
          </button>
        </div>
        <div
          id={menuId}
          className={classNames(
            menuOpen ? "flex" : "hidden",
            "flex-col border-t border-white/8 lg:flex lg:min-h-0 lg:flex-1 lg:border-t-0",
          )}
        >
          <div className="flex flex-col gap-5 p-5 lg:min-h-0 lg:flex-1 lg:overflow-y-auto">
            <Link
              to={homePath(me)}
              className="hidden self-start rounded-lg lg:block"
              aria-label="Luna home"
            >
              <Logo />
            </Link>
            <WorkspaceSwitcher me={me} currentWorkspaceId={current?.workspace.id} />
            <ShellNav base={base} />
          </div>
          <div className="flex items-center justify-between gap-3 border-t border-white/8 p-5">
            <div className="min-w-0 text-sm">
              <p className="truncate font-medium text-white">{me.user.display_name}</p>
              <p className="truncate text-xs text-slate-400">{me.user.email}</p>
            </div>
            <SignOutButton variant="ghost" />
          </div>
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
