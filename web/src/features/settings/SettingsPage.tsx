import { Link } from "react-router";

import { Card } from "../../components/ui/Card";
import { PageHeader } from "../../components/ui/PageHeader";
import { Section } from "../../components/ui/Section";
import { useSignedInMe } from "../session/use-me";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { ChangeEmailForm } from "./ChangeEmailForm";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { CookiePreferences } from "./CookiePreferences";
import { DeleteAccountSection } from "./DeleteAccountSection";
import { ExpandableSetting } from "./ExpandableSetting";
import { useChangeDisplayName, useRenameTeam, useRenameWorkspace } from "./hooks";
import { NameForm } from "./NameForm";
import { NewWorkspaceForm } from "./NewWorkspaceForm";
import { ToolSettingsSection } from "./ToolSettingsSection";

/**
 * The account (display name, email, password), the names of the workspace and its team
 * and a new workspace for the team, the cookie choice, the workspace's tool settings, and
 * deleting the account.
 */
export function SettingsPage() {
  const me = useSignedInMe();
  const { team, workspace } = useCurrentWorkspace();
  const manager = team.role === "owner" || team.role === "admin";
  const changeName = useChangeDisplayName();
  const renameWorkspace = useRenameWorkspace(workspace.id);
  const renameTeam = useRenameTeam(team.id);
  return (
    <>
      <title>Settings · Luna</title>
      <PageHeader
        title="Settings"
        description={
          <>
            Two-factor authentication is under{" "}
            <Link
              to={`/w/${workspace.id}/account/security`}
              className="text-luna-300 underline hover:text-luna-200"
            >
              security
            </Link>
            .
          </>
        }
      />
      <div className="space-y-12">
        <Section title="Account">
          <Card className="divide-y divide-white/6">
            <div className="p-5">
              <NameForm
                label="Display name"
                current={me.user.display_name}
                maxLength={200}
                field="display_name"
                save={changeName}
              />
            </div>
            <ExpandableSetting
              title="Email address"
              summary={
                <>
                  You sign in as <strong className="text-slate-200">{me.user.email}</strong>
                </>
              }
            >
              <ChangeEmailForm currentEmail={me.user.email} />
            </ExpandableSetting>
            <ExpandableSetting
              title="Password"
              summary="Changing it signs out your other browsers."
            >
              <ChangePasswordForm />
            </ExpandableSetting>
          </Card>
        </Section>
        <Section
          title="Names"
          description={manager ? undefined : "Owners and admins of the team can rename them."}
        >
          <Card className="space-y-4 p-5">
            <NameForm
              key={`workspace-${workspace.id}`}
              label="Workspace name"
              current={workspace.name}
              maxLength={100}
              field="name"
              save={renameWorkspace}
              canChange={manager}
            />
            <NameForm
              key={`team-${team.id}`}
              label="Team name"
              current={team.name}
              maxLength={100}
              field="name"
              save={renameTeam}
              canChange={manager}
            />
          </Card>
          {manager && (
            <Card className="mt-4 p-5">
              <NewWorkspaceForm teamId={team.id} teamName={team.name} workspaceId={workspace.id} />
            </Card>
          )}
        </Section>
        <Section
          title="Cookies"
          description="Applies on Luna's public site, in every browser you sign in to."
        >
          <Card className="p-5">
            <CookiePreferences />
          </Card>
        </Section>
        <Section
          title="Tools"
          description={
            <>
              Where agents may reach with <code className="font-mono">http_fetch</code>.
            </>
          }
        >
          <Card className="p-5">
            <ToolSettingsSection workspaceId={workspace.id} role={team.role} />
          </Card>
        </Section>
        <Section title="Delete account">
          <Card className="border-rose-400/25 p-5">
            <DeleteAccountSection email={me.user.email} hasPassword={me.user.has_password} />
          </Card>
        </Section>
      </div>
    </>
  );
}
