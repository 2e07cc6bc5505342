import { useEffect, useState } from 'react';

/** The time, refreshed every minute for "now" lines; a fixed time (from a test) stops the clock. */
export function useMinuteClock(fixed?: Date): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (fixed) return;
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, [fixed]);
  return fixed ?? now;
}
