import { vi } from "vitest";

/**
 * Replaces `window.location` with a stand-in whose `assign` (a full page load, which jsdom
 * cannot do) is a mock; Vitest puts the real one back after the test.
 */
export function stubLocationAssign() {
  const { href, origin, protocol, host, hostname, port, pathname, search, hash } = window.location;
  const assign = vi.fn<(url: string | URL) => void>();
  vi.stubGlobal("location", {
    ...{ href, origin, protocol, host, hostname, port, pathname, search, hash },
    assign,
  });
  return assign;
}
