import { Navigate } from "react-router";

import { homePath, useSignedInMe } from "./use-me";

/** `/app`: straight to the user's first workspace. */
export function HomeRedirect() {
  const me = useSignedInMe();
  return <Navigate to={homePath(me)} replace />;
}
