import type { EmulatorResponse } from '../common/http';

/** The emulator's sign-in pages: plain HTML a browser test can drive, never cached (as Entra's are not). */
export function page(status: number, title: string, body: string): EmulatorResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<link rel="icon" href="data:,"></head><body style="font-family: system-ui, sans-serif; max-width: 440px; margin: 32px auto">
<main>${body}</main></body></html>`,
  };
}

export function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export function hidden(name: string, value: string | null): string {
  return value === null ? '' : `<input type="hidden" name="${name}" value="${escape(value)}">`;
}
