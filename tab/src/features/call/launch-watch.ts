/**
 * Did anything handle the call link? Browsers give no answer for an unhandled scheme. When a telephony client takes
 * the link, the Teams window loses focus or is hidden within a moment; when nothing does, neither happens. So: watch
 * for blur/visibilitychange for a short while after the click and report "not handled" when neither came.
 */
export const LAUNCH_WATCH_MS = 2500;

export function watchLaunch(win: Window, onNotHandled: () => void, ms = LAUNCH_WATCH_MS): () => void {
  const doc = win.document;
  let settled = false;
  const handled = () => {
    if (doc.visibilityState === 'hidden' || !doc.hasFocus()) stop();
  };
  const stop = () => {
    settled = true;
    win.clearTimeout(timer);
    win.removeEventListener('blur', handled);
    doc.removeEventListener('visibilitychange', handled);
  };
  const timer = win.setTimeout(() => {
    if (settled) return;
    stop();
    onNotHandled();
  }, ms);
  win.addEventListener('blur', handled);
  doc.addEventListener('visibilitychange', handled);
  return stop;
}
