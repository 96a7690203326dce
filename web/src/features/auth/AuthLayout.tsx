import type { ReactNode } from "react";
import { Link, Outlet } from "react-router";

import { Logo } from "../../components/ui/Logo";

/** The signed-out pages: one glass card in the middle of the night sky. */
export function AuthLayout() {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <Link to="/" className="mb-8 rounded-lg" aria-label="Luna">
        <Logo />
      </Link>
      <main className="glass w-full max-w-md rounded-2xl p-8 motion-safe:animate-rise">
        <Outlet />
      </main>
      <p className="mt-8 text-xs text-slate-400">Build, run, watch and sell AI agents.</p>
    </div>
  );
}

interface AuthHeadingProps {
  title: string;
  children?: ReactNode;
}

/** The page's title in the tab and as its h1, with a line under it. */
export function AuthHeading({ title, children }: AuthHeadingProps) {
  return (
    <div className="mb-6">
      <title>{`${title} · Luna`}</title>
      <h1 className="text-xl font-semibold tracking-tight text-white">{title}</h1>
      {children && <p className="mt-1.5 text-sm text-slate-400">{children}</p>}
    </div>
  );
}
