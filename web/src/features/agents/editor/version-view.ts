/**
 * The two versions the history compares, kept in the address (`?from=2&to=5`) so that a
 * link shows the same comparison. Without them, the previous version is compared with the
 * current one.
 */

export interface VersionComparison {
  /** The older side; null when the agent has a single version. */
  from: number | null;
  to: number;
}

function versionParam(value: string | null, current: number): number | null {
  if (value === null || !/^[1-9]\d{0,9}$/.test(value)) {
    return null;
  }
  const number = Number(value);
  return number <= current ? number : null;
}

/** The comparison the address asks for, with what it leaves out (or gets wrong) defaulted. */
export function comparisonFromParams(
  params: URLSearchParams,
  currentVersion: number,
): VersionComparison {
  const to = versionParam(params.get("to"), currentVersion) ?? currentVersion;
  const from = versionParam(params.get("from"), currentVersion) ?? (to > 1 ? to - 1 : null);
  return { from, to };
}

/** Writes the comparison into `params`. */
export function writeComparison(
  params: URLSearchParams,
  comparison: VersionComparison,
): URLSearchParams {
  if (comparison.from === null) {
    params.delete("from");
  } else {
    params.set("from", String(comparison.from));
  }
  params.set("to", String(comparison.to));
  return params;
}
