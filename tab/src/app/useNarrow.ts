import { useEffect, useState } from 'react';

/** A phone in Teams mobile (390 px and the like): rows stack their columns instead of squeezing the text. */
export const NARROW_QUERY = '(max-width: 480px)';

/** Whether the tab is phone-narrow now; follows rotation and window resizes. */
export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW_QUERY).matches);
  useEffect(() => {
    const query = window.matchMedia(NARROW_QUERY);
    const update = () => setNarrow(query.matches);
    update();
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return narrow;
}
