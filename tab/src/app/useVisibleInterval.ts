import { useEffect, useRef } from 'react';

/**
 * Calls `tick` every `intervalMs` while the tab is visible, and once at once when it becomes visible again. A hidden
 * tab (Teams switched to another app, a minimised window) makes no requests at all: the timer stops, not just skips.
 */
export function useVisibleInterval(tick: () => unknown, intervalMs: number): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (intervalMs <= 0) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer === undefined) timer = setInterval(() => void tickRef.current(), intervalMs);
    };
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') return stop();
      void tickRef.current();
      start();
    };
    if (document.visibilityState !== 'hidden') start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs]);
}
