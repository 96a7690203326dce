import { classNames } from "../../lib/class-names";
import type { RolesTable } from "./hooks";
import { roleLabel } from "./permissions";

function Allowed({ allowed }: { allowed: boolean }) {
  return (
    <>
      <svg
        className={classNames("mx-auto size-4", allowed ? "text-emerald-300" : "text-slate-500")}
        viewBox="0 0 20 20"
        fill="currentColor"
        aria-hidden="true"
      >
        {allowed ? (
          <path
            fillRule="evenodd"
            d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.58l7.3-7.3a1 1 0 0 1 1.4 0Z"
            clipRule="evenodd"
          />
        ) : (
          <path fillRule="evenodd" d="M4 10a1 1 0 0 1 1-1h10a1 1 0 1 1 0 2H5a1 1 0 0 1-1-1Z" />
        )}
      </svg>
      <span className="sr-only">{allowed ? "Yes" : "No"}</span>
    </>
  );
}

interface RoleMatrixProps {
  roles: RolesTable;
  /** The signed-in user's role, whose column is highlighted. */
  callerRole: string;
  caption: string;
}

/** Actions down the side, roles across the top: what each role may do. */
export function RoleMatrix({ roles, callerRole, caption }: RoleMatrixProps) {
  const mine = (role: string) => role === callerRole;
  return (
    // A region the keyboard can reach, to scroll a table wider than a phone sideways.
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="glass overflow-x-auto rounded-2xl focus-visible:outline-2 focus-visible:outline-halo"
    >
      <table className="w-full min-w-[40rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-white/10 text-xs tracking-wide text-slate-400 uppercase">
          <tr>
            <th scope="col" className="px-4 py-3 font-medium">
              Action
            </th>
            {roles.roles.map(({ role }) => (
              <th
                key={role}
                scope="col"
                className={classNames(
                  "w-28 px-4 py-3 text-center font-medium",
                  mine(role) && "bg-luna-500/15 text-white",
                )}
              >
                {roleLabel(role)}
                {mine(role) && (
                  <span className="mt-0.5 block text-[10px] font-semibold tracking-normal text-luna-200 normal-case">
                    (your role)
                  </span>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-white/6">
          {roles.actions.map(({ action, meaning }) => (
            <tr key={action}>
              <th scope="row" className="px-4 py-3 align-top font-normal">
                <code className="font-mono text-sm font-semibold text-white">{action}</code>
                <span className="mt-0.5 block max-w-md text-xs text-slate-400">{meaning}</span>
              </th>
              {roles.roles.map(({ role, actions }) => (
                <td
                  key={role}
                  className={classNames("px-4 py-3 text-center", mine(role) && "bg-luna-500/10")}
                >
                  <Allowed allowed={actions.includes(action)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
