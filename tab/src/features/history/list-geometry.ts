/**
 * Where each row of a virtualized list sits, and which rows a scroll position shows. Pure (no DOM): the heights are
 * known per kind of row, so nothing is measured.
 */
export class ListGeometry {
  /** starts[i] is row i's top edge; starts[count] is the list's full height. */
  private readonly starts: Float64Array;

  constructor(heights: ArrayLike<number>) {
    this.starts = new Float64Array(heights.length + 1);
    for (let i = 0; i < heights.length; i++) this.starts[i + 1] = this.starts[i]! + heights[i]!;
  }

  get count(): number {
    return this.starts.length - 1;
  }

  get totalHeight(): number {
    return this.starts[this.count]!;
  }

  top(index: number): number {
    return this.starts[index]!;
  }

  /** The row under offset y (clamped to the list): the last row whose top edge is at or above y. */
  rowAt(y: number): number {
    let lo = 0;
    let hi = this.count - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The rows to have in the DOM for a viewport of `height` px scrolled to `scrollTop`: those it shows, and `overscan`
   * more either side (for keyboard scrolling and the frame before the next scroll event). Empty (end < start) for an
   * empty list.
   */
  window(scrollTop: number, height: number, overscan: number): { start: number; end: number } {
    if (this.count === 0) return { start: 0, end: -1 };
    const first = this.rowAt(Math.max(0, scrollTop));
    // The last row with any pixel in view: the one under the bottom edge, less a hair so an exact fit is not one more.
    const last = this.rowAt(Math.max(0, scrollTop + Math.max(0, height) - 0.5));
    return {
      start: Math.max(0, first - overscan),
      end: Math.min(this.count - 1, last + overscan),
    };
  }
}
