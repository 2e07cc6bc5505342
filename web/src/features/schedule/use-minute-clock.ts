import { useEffect, useState } from 'react';
import { toZonedDate } from '../../shared/format';

/**
 * The time, refreshed every minute for "now" lines, as a reading of the person's zone (toZonedDate), like every
 * date the views place; a fixed time (from a test) stops the clock and is taken as it is.
 */
export function useMinuteClock(fixed?: Date): Date {
  const [now, setNow] = useState(() => toZonedDate(Date.now()));
  useEffect(() => {
    if (fixed) return;
    const timer = setInterval(() => setNow(toZonedDate(Date.now())), 60_000);
    return () => clearInterval(timer);
  }, [fixed]);
  return fixed ?? now;
}
