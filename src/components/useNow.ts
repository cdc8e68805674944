import React from 'react';

/**
 * The current time, renewed every `period` milliseconds while `ticking` (e.g. while a
 * job runs, so its duration counts up); frozen otherwise.
 */
export function useNow(ticking: boolean, period = 1000): Date {
  const [now, setNow] = React.useState(() => new Date());
  React.useEffect(() => {
    if (!ticking) {
      return;
    }
    setNow(new Date());
    const timer = setInterval(() => setNow(new Date()), period);
    return () => clearInterval(timer);
  }, [ticking, period]);
  return now;
}
