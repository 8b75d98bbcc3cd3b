import { ListGeometry } from './list-geometry';

/** What the window needs of a row's element; the painter owns the rest of the slot. */
export interface Slot {
  el: HTMLElement;
}

export interface RowWindowOptions<S extends Slot> {
  /** Rows kept in the DOM beyond the visible ones on each side. */
  overscan: number;
  createSlot(doc: Document): S;
  /** Writes row `index` into the slot (the slot may show another row, or none yet). */
  paint(slot: S, index: number): void;
  /** Called after the rows in the DOM changed, with the last one's index. */
  onWindow?(lastIndex: number): void;
}

/** After the last scroll event this long, the slots are put back in row order in the DOM. */
export const SETTLE_MS = 120;

/**
 * A virtualized list driven by the scroll event, outside React: a pool of slot elements inside `sizer` (an element
 * as tall as every row together, in the scrolling `scroller`), each placed with a transform. A scroll that brings
 * rows into view hands them the slots of the rows that left, where they are: a frame writes only those rows' text
 * and attributes, and reads nothing that needs a layout but the scroll offset (the viewport height comes from a
 * ResizeObserver).
 *
 * Screen readers and Tab follow the DOM, not the transforms, so the slots are put back in row order once the scroll
 * settles, and at once when a key is pressed or the focus moves in the list. Not on every frame: moving an element
 * in the DOM makes the browser rebuild its style and layout from scratch, which was a third of a scroll frame's
 * work (docs/benchmarks.md). Each slot carries aria-posinset and aria-setsize, since only a window of the list
 * exists. A focused element in a row that scrolls out hands the focus to the scroller first, so the keyboard keeps
 * its place in the list.
 */
export class RowWindow<S extends Slot> {
  private geometry = new ListGeometry([]);
  private active: S[] = [];
  private activeStart = 0;
  private readonly spare: S[] = [];
  private viewport: number;
  private setSize = -1;
  private readonly tops = new WeakMap<S, number>();
  private readonly resize: ResizeObserver | null;
  /** Whether the slots are in row order in the DOM. */
  private ordered = true;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onScroll = () => {
    this.update(false);
    if (this.ordered) return;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(this.putInOrder, SETTLE_MS);
  };
  private readonly putInOrder = () => this.order();

  constructor(
    private readonly scroller: HTMLElement,
    private readonly sizer: HTMLElement,
    private readonly options: RowWindowOptions<S>,
  ) {
    this.viewport = scroller.clientHeight;
    scroller.addEventListener('scroll', this.onScroll, { passive: true });
    // Before the browser picks the next element for Tab (or a screen reader reads on), the DOM must be in order.
    scroller.addEventListener('keydown', this.putInOrder, true);
    scroller.addEventListener('focusin', this.putInOrder);
    const win = scroller.ownerDocument.defaultView;
    this.resize = win?.ResizeObserver
      ? new win.ResizeObserver((entries) => {
          const height = entries[entries.length - 1]?.contentRect.height;
          if (height === undefined || height === this.viewport) return;
          this.viewport = height;
          this.update(false);
        })
      : null;
    this.resize?.observe(scroller);
  }

  /** The rows changed (a page arrived, a new call, another layout): every slot is placed and painted again. */
  setRows(heights: ArrayLike<number>): void {
    this.geometry = new ListGeometry(heights);
    this.sizer.style.height = `${this.geometry.totalHeight}px`;
    this.update(true);
  }

  /** How long the whole list is, or -1 while more is to come. */
  setTotal(total: number): void {
    if (total === this.setSize) return;
    this.setSize = total;
    for (const slot of this.active) slot.el.setAttribute('aria-setsize', String(total));
  }

  /** Paints every slot again (the texts or the rules behind them changed). */
  repaint(): void {
    this.active.forEach((slot, k) => this.options.paint(slot, this.activeStart + k));
  }

  /** The last row in the DOM, or -1 when none is. */
  get lastIndex(): number {
    return this.activeStart + this.active.length - 1;
  }

  /** Stops following the scroller and takes the slots out of the DOM. */
  destroy(): void {
    this.scroller.removeEventListener('scroll', this.onScroll);
    this.scroller.removeEventListener('keydown', this.putInOrder, true);
    this.scroller.removeEventListener('focusin', this.putInOrder);
    clearTimeout(this.settleTimer);
    this.resize?.disconnect();
    for (const slot of this.active) slot.el.remove();
    this.active = [];
  }

  private update(all: boolean): void {
    const { start, end } = this.geometry.window(this.scroller.scrollTop, this.viewport, this.options.overscan);
    const oldStart = this.activeStart;
    const oldEnd = this.lastIndex;
    if (!all && start === oldStart && end === oldEnd) return;

    const next: (S | undefined)[] = new Array<S | undefined>(Math.max(0, end - start + 1));
    const leaving: S[] = [];
    this.active.forEach((slot, k) => {
      const index = oldStart + k;
      if (index >= start && index <= end) next[index - start] = slot;
      else leaving.push(slot);
    });
    this.keepFocus(leaving);

    // Rows that came in take the slots of the rows that left (or spare ones) where they are in the DOM.
    for (let k = 0; k < next.length; k++) {
      const index = start + k;
      let slot = next[k];
      if (slot === undefined) {
        slot = leaving.pop() ?? this.spare.pop() ?? this.options.createSlot(this.sizer.ownerDocument);
        next[k] = slot;
        if (slot.el.parentNode !== this.sizer) this.sizer.appendChild(slot.el);
        this.ordered = false;
        this.place(slot, index);
        this.options.paint(slot, index);
      } else if (all) {
        this.place(slot, index);
        this.options.paint(slot, index);
      }
    }
    for (const slot of leaving) {
      slot.el.remove();
      this.spare.push(slot);
    }
    this.active = next as S[];
    this.activeStart = start;
    if (all) this.order();
    if (end !== oldEnd || all) this.options.onWindow?.(end);
  }

  /** Puts the slots in row order in the DOM, moving as few as it can; the focus stays where it was. */
  order(): void {
    if (this.ordered) return;
    clearTimeout(this.settleTimer);
    const focused = this.sizer.ownerDocument.activeElement as HTMLElement | null;
    let at = this.sizer.firstChild;
    for (const slot of this.active) {
      if (slot.el === at) at = at.nextSibling;
      else this.sizer.insertBefore(slot.el, at);
    }
    this.ordered = true;
    // Moving an element takes the focus from it; give it back.
    if (focused && focused !== this.sizer.ownerDocument.activeElement && this.sizer.contains(focused))
      focused.focus({ preventScroll: true });
  }

  private place(slot: S, index: number): void {
    const top = this.geometry.top(index);
    if (this.tops.get(slot) !== top) {
      slot.el.style.transform = `translateY(${top}px)`;
      this.tops.set(slot, top);
    }
    setAttr(slot.el, 'aria-posinset', String(index + 1));
    setAttr(slot.el, 'aria-setsize', String(this.setSize));
  }

  private keepFocus(leaving: S[]): void {
    if (!leaving.length) return;
    const focused = this.sizer.ownerDocument.activeElement;
    if (focused && this.sizer.contains(focused) && leaving.some((slot) => slot.el.contains(focused)))
      this.scroller.focus({ preventScroll: true });
  }
}

function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}
