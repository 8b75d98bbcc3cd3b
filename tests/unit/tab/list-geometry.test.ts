import { ListGeometry } from '../../../tab/src/features/history/list-geometry';

describe('virtualized list geometry', () => {
  // A day header (36 px) and three calls (56 px), then another day with two calls.
  const rows = new ListGeometry([36, 56, 56, 56, 36, 56, 56]);

  it('places each row under the ones before it and knows the full height', () => {
    expect([0, 1, 2, 4, 6].map((i) => rows.top(i))).toEqual([0, 36, 92, 204, 296]);
    expect(rows.totalHeight).toBe(352);
  });

  it('finds the row under an offset, edges included', () => {
    expect(rows.rowAt(0)).toBe(0);
    expect(rows.rowAt(35.9)).toBe(0);
    expect(rows.rowAt(36)).toBe(1);
    expect(rows.rowAt(203)).toBe(3);
    expect(rows.rowAt(204)).toBe(4);
    expect(rows.rowAt(10_000)).toBe(6); // past the end: the last row
  });

  it('keeps the rows in view plus the overscan, clamped to the list', () => {
    // 100 px of view from 40 px down shows rows 1 (36-92) and 2 (92-148).
    expect(rows.window(40, 100, 0)).toEqual({ start: 1, end: 2 });
    expect(rows.window(40, 100, 1)).toEqual({ start: 0, end: 3 });
    // A view that ends exactly on a row's top edge does not show that row.
    expect(rows.window(36, 56, 0)).toEqual({ start: 1, end: 1 });
    expect(rows.window(300, 500, 2)).toEqual({ start: 4, end: 6 });
  });

  it('has no rows to show when the list is empty', () => {
    const none = new ListGeometry([]);
    expect(none.totalHeight).toBe(0);
    const w = none.window(0, 600, 4);
    expect(w.end).toBeLessThan(w.start);
  });
});
