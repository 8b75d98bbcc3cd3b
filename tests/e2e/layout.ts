import type { FrameLocator } from 'playwright-core';

/**
 * What in a table's body does not fit where it is shown, in words for a failing test (none may). Each cell's content
 * is held against that cell's own box: cells of one row sit edge to edge, so comparing cells with one another never
 * sees a long address running under its neighbour, which is what people notice.
 * - an element whose content is wider than its own box (scrollWidth > clientWidth): cut off, or spilling out of it;
 * - an element whose box reaches past its cell's box, and a cell past what of the table is in view;
 * - a badge taller or wider than its pill (wrapped, its words spill out; a narrow column did this to "In reserve").
 */
export function spillsInTable(tab: FrameLocator, table: string): Promise<string[]> {
  return tab.getByRole('table', { name: table }).evaluate((t) => {
    const found: string[] = [];
    // What of the table can be seen: the window, narrowed by every ancestor that clips sideways (the table's own
    // scroll box among them). A cell that grew past it (a long address kept on one line widens the whole table,
    // its scroll box and the page with it) is cut off, or makes the page scroll sideways on a phone.
    let left = 0;
    let right = document.documentElement.clientWidth;
    for (let a = t.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === 'visible') continue;
      const r = a.getBoundingClientRect();
      left = Math.max(left, r.left);
      right = Math.min(right, r.right);
    }
    const named = (el: Element) =>
      `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 48)}"`;
    for (const row of t.querySelectorAll('tbody tr')) {
      for (const cell of row.children) {
        const box = cell.getBoundingClientRect();
        if (box.left < left - 1 || box.right > right + 1)
          found.push(
            `${named(cell)}: ${Math.round(Math.max(left - box.left, box.right - right))} px out of view`,
          );
        for (const el of [cell, ...cell.querySelectorAll('*')]) {
          if (el.getClientRects().length === 0) continue; // not rendered (display: none, or inside it)
          // An inline element has no box of its own (clientWidth 0); its rectangle below still counts.
          if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
            found.push(`${named(el)}: content ${el.scrollWidth} px wide in a ${el.clientWidth} px box`);
          if (el === cell) continue;
          const r = el.getBoundingClientRect();
          const past: [string, number][] = [
            ['left of', box.left - r.left],
            ['right of', r.right - box.right],
            ['above', box.top - r.top],
            ['below', r.bottom - box.bottom],
          ];
          for (const [where, px] of past)
            if (px > 1) found.push(`${named(el)}: ${Math.round(px)} px ${where} its cell`);
        }
      }
      for (const el of row.querySelectorAll('.fui-Badge'))
        if (el.scrollHeight > el.clientHeight + 1) found.push(`${named(el)}: spills out of its badge`);
    }
    return found;
  });
}

/**
 * Words in a table's body that a line break cuts in two ("Meg/an Bow/en"): a column squeezed narrower than a word
 * is what people notice in a name, while the layout check above sees nothing (the pieces fit their cell). Only runs
 * of letters count, so an address or a number that may wrap at any character is not held to it.
 */
export function brokenWordsInTable(tab: FrameLocator, table: string): Promise<string[]> {
  return tab.getByRole('table', { name: table }).evaluate((t) => {
    const found: string[] = [];
    const walker = document.createTreeWalker(t.querySelector('tbody') ?? t, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      for (const m of text.matchAll(/\p{L}{2,}/gu)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
        if (lines.size > 1)
          found.push(`"${m[0]}" in "${text.trim().slice(0, 48)}" is split over ${lines.size} lines`);
      }
    }
    return found;
  });
}
