import { Link } from "react-router";

import { Alert } from "../../components/ui/Alert";
import { planName } from "../agents/plans";

interface SsoUpgradeAlertProps {
  message: string;
  workspaceId: string;
  /** The smallest plan with single sign-on, when known. */
  upgradePlan: string | null;
}

/** The team's plan has no single sign-on (the `sso` entitlement), and where to get it. */
export function SsoUpgradeAlert({ message, workspaceId, upgradePlan }: SsoUpgradeAlertProps) {
  return (
    <Alert tone="warning" title="Single sign-on needs a larger plan">
      <p>{message}</p>
      <Link to={`/w/${workspaceId}/billing`} className="mt-2 inline-block font-semibold underline">
        {upgradePlan ? `Upgrade to ${planName(upgradePlan)}` : "See the plans"}
      </Link>
    </Alert>
  );
}
