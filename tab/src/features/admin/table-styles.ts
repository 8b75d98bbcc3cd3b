import { makeStyles, tokens } from '@fluentui/react-components';

/** Below this width a table row becomes a stacked card: a phone in Teams is about 400 px wide. */
export const STACK_BELOW = '600px';
const narrow = `@media (max-width: ${STACK_BELOW})`;

/**
 * Admin tables that keep their content inside at any width. Fluent's table lays columns out at fixed equal widths,
 * so a long UPN ran into the next column and a row of buttons spilled past the table's edge; here columns take
 * their content's width, text wraps (long addresses at any character), and a table wider than the page scrolls
 * inside its own box instead of pushing the page. On a phone each row stacks into label/value lines.
 * Cells carry their column name in `data-label` for the stacked form.
 */
export const useTableStyles = makeStyles({
  wrap: { maxWidth: '100%', overflowX: 'auto' },
  table: { tableLayout: 'auto', width: '100%', [narrow]: { display: 'block' } },
  head: { [narrow]: { display: 'none' } },
  body: { [narrow]: { display: 'block' } },
  row: {
    [narrow]: {
      display: 'flex',
      flexDirection: 'column',
      gap: '4px',
      padding: '8px 0',
      borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    },
  },
  cell: {
    overflowWrap: 'anywhere',
    verticalAlign: 'top',
    paddingTop: '6px',
    paddingBottom: '6px',
    [narrow]: {
      display: 'grid',
      // Fluent gives a small table's cell height: 34px, a minimum for a table cell but a fixed height for a grid:
      // two lines of buttons or a wrapped address ran out of the stacked cell and over the next row.
      height: 'auto',
      gridTemplateColumns: 'minmax(96px, 35%) 1fr',
      gap: '8px',
      alignItems: 'center',
      '::before': {
        content: 'attr(data-label)',
        fontWeight: tokens.fontWeightSemibold,
        color: tokens.colorNeutralForeground3,
      },
    },
  },
  /** A long status or error: at most three lines; the whole text is in the title and in the stacked view. */
  clamp: {
    display: '-webkit-box',
    WebkitLineClamp: 3,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
  /**
   * Names and other words people read: wrap between words only. The cell's wrap-anywhere lets the table squeeze such a
   * column below its longest word when a neighbour is long ("Meg/an Bow/en"); a single word wider than the whole cell
   * still breaks rather than spill.
   */
  words: { overflowWrap: 'break-word' },
  /** A long free text beside short columns: at most this wide, so it cannot claim the table's width from them. */
  prose: { maxWidth: '60ch' },
  actions: { display: 'flex', gap: '4px', flexWrap: 'wrap' },
  /** Around a badge: the cell's wrap-anywhere would break its words out of the pill. */
  nowrap: { whiteSpace: 'nowrap' },
});
