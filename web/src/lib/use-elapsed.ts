import { useEffect, useState } from "react";

/**
 * Milliseconds from `start` to `end`, or to now while `end` is null, counting up once a
 * second. Null before there is a start.
 */
export function useElapsed(start: string | null, end: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  const ticking = start !== null && end === null;
  useEffect(() => {
    if (!ticking) {
      return undefined;
    }
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, [ticking]);
  if (start === null) {
    return null;
  }
  const until = end === null ? now : new Date(end).getTime();
  return Math.max(0, until - new Date(start).getTime());
}
