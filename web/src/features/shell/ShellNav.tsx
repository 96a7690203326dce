import {
  Activity,
  BookOpen,
  Bot,
  CalendarClock,
  ChevronDown,
  CreditCard,
  FlaskConical,
  Gauge,
  House,
  KeyRound,
  KeySquare,
  MonitorSmartphone,
  PlugZap,
  ScrollText,
  Settings,
  ShieldCheck,
  ChartNoAxesColumn,
  Users,
  Webhook,
  Workflow,
  type LucideIcon,
} from "lucide-react";
import { useId, useState, type ReactNode } from "react";
import { NavLink } from "react-router";

import { classNames } from "../../lib/class-names";

interface NavEntry {
  path: string;
  label: string;
  icon: LucideIcon;
  end?: boolean;
}

interface NavSection {
  id: string;
  /** Null: always open, with no heading (the workspace's home). */
  title: string | null;
  entries: NavEntry[];
}

/** The workspace's pages, grouped by what one does there. */
const WORKSPACE_SECTIONS: NavSection[] = [
  { id: "home", title: null, entries: [{ path: "", label: "Home", icon: House, end: true }] },
  {
    id: "build",
    title: "Build",
    entries: [
      { path: "/agents", label: "Agents", icon: Bot },
      { path: "/chains", label: "Chains", icon: Workflow },
      { path: "/schedules", label: "Schedules", icon: CalendarClock },
      { path: "/playground", label: "Playground", icon: FlaskConical },
      { path: "/knowledge", label: "Knowledge", icon: BookOpen },
    ],
  },
  {
    id: "observe",
    title: "Observe",
    entries: [
      { path: "/runs", label: "Runs", icon: Activity },
      { path: "/usage", label: "Usage", icon: ChartNoAxesColumn },
    ],
  },
  {
    id: "admin",
    title: "Admin",
    entries: [
      { path: "/members", label: "Members", icon: Users },
      { path: "/api-keys", label: "API keys", icon: KeyRound },
      { path: "/providers", label: "Providers", icon: PlugZap },
      { path: "/webhooks", label: "Webhooks", icon: Webhook },
      { path: "/budgets", label: "Budgets", icon: Gauge },
      { path: "/billing", label: "Billing", icon: CreditCard },
      { path: "/sso", label: "SSO", icon: KeySquare },
      { path: "/audit-log", label: "Audit log", icon: ScrollText },
    ],
  },
];

const ACCOUNT_SECTION: NavSection = {
  id: "account",
  title: "Account",
  entries: [
    { path: "/account/security", label: "Security", icon: ShieldCheck },
    { path: "/account/sessions", label: "Sessions", icon: MonitorSmartphone },
    { path: "/settings", label: "Settings", icon: Settings },
  ],
};

/** Which sections the reader folded; they stay folded from page to page. */
function useFoldedSections() {
  const [folded, setFolded] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (id: string) => {
    setFolded((earlier) => {
      const next = new Set(earlier);
      if (!next.delete(id)) {
        next.add(id);
      }
      return next;
    });
  };
  return { folded, toggle };
}

/**
 * The workspace's pages and the account's, in sections that fold, each page with its
 * icon. `base` is the workspace's address (`/w/<id>`).
 */
export function ShellNav({ base }: { base: string }) {
  const { folded, toggle } = useFoldedSections();
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Workspace pages" className="flex flex-col gap-3">
        {WORKSPACE_SECTIONS.map((section) => (
          <Section
            key={section.id}
            section={section}
            base={base}
            folded={folded.has(section.id)}
            onToggle={toggle}
          />
        ))}
      </nav>
      <nav aria-label="Account">
        <Section
          section={ACCOUNT_SECTION}
          base={base}
          folded={folded.has(ACCOUNT_SECTION.id)}
          onToggle={toggle}
        />
      </nav>
    </div>
  );
}

interface SectionProps {
  section: NavSection;
  base: string;
  folded: boolean;
  onToggle: (id: string) => void;
}

function Section({ section, base, folded, onToggle }: SectionProps) {
  const listId = useId();
  const items = (
    <ul id={listId} hidden={folded} className="flex flex-col gap-0.5">
      {section.entries.map((entry) => (
        <li key={entry.path}>
          <NavItem to={`${base}${entry.path}`} end={entry.end} icon={entry.icon}>
            {entry.label}
          </NavItem>
        </li>
      ))}
    </ul>
  );
  if (section.title === null) {
    return items;
  }
  return (
    <div>
      <button
        type="button"
        aria-expanded={!folded}
        aria-controls={listId}
        onClick={() => {
          onToggle(section.id);
        }}
        className="group mb-1 flex w-full items-center gap-1 rounded-md px-3 py-1 text-xs font-semibold tracking-wide text-slate-400 uppercase hover:text-slate-200 focus-visible:outline-2 focus-visible:outline-halo"
      >
        {section.title}
        <ChevronDown
          aria-hidden="true"
          className={classNames("ml-auto size-3.5 transition-transform", folded && "-rotate-90")}
        />
      </button>
      {items}
    </div>
  );
}

function NavItem({
  to,
  end,
  icon: Icon,
  children,
}: {
  to: string;
  end?: boolean;
  icon: LucideIcon;
  children: ReactNode;
}) {
  return (
    <NavLink
      to={to}
      end={end ?? false}
      className={({ isActive }) =>
        classNames(
          "flex items-center gap-2.5 rounded-lg px-3 py-1.5 text-sm font-medium transition-colors",
          isActive
            ? "bg-white/10 text-white shadow-[inset_2px_0_0_0_var(--color-luna-400)]"
            : "text-slate-300 hover:bg-white/6 hover:text-white",
        )
      }
    >
      <Icon aria-hidden="true" className="size-4 shrink-0 text-slate-400" />
      {children}
    </NavLink>
  );
}
