import type { HTMLAttributes } from "react";

import { classNames } from "../../lib/class-names";

/** A frosted-glass panel. */
export function Card({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div className={classNames("glass rounded-2xl", className)} {...props} />;
}
