import { makeStyles, tokens } from '@fluentui/react-components';

export const CALL_ROW_PX = 56;
export const CALL_ROW_NARROW_PX = 76;
export const DAY_ROW_PX = 36;

/**
 * Every class of the call list, resolved once by the page and handed down. Why not a makeStyles hook per row, as
 * elsewhere: Griffel's hook walks all of its rules to check they are inserted each time it runs, and rows come into
 * view on every frame of a scroll, so per-row hooks and Fluent components per cell were most of the frame time
 * (docs/benchmarks.md). Rows are plain elements written with these classes (call-row-dom.ts).
 */
export const useCallListClasses = makeStyles({
  scroller: {
    flexGrow: 1,
    minHeight: '240px',
    overflowY: 'auto',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    // Nothing inside changes the list's own box: a row mounting or moving never makes the page around it lay out.
    contain: 'layout paint',
    // The virtualizer places every row itself; the browser's scroll anchoring would search the rows for an anchor
    // on every scroll for nothing.
    overflowAnchor: 'none',
  },
  // The full height of every loaded row (hundreds of thousands of px): only the rows in view are in it.
  sizer: { position: 'relative', width: '100%', contain: 'strict' },
  // One positioned slot per row (the list item), of a fixed height: laying out or painting a new row touches
  // nothing else, and moving it is a transform.
  slot: { position: 'absolute', top: 0, left: 0, right: 0, contain: 'strict' },
  daySlot: { height: `${DAY_ROW_PX}px` },
  day: {
    display: 'flex',
    alignItems: 'flex-end',
    height: `${DAY_ROW_PX}px`,
    boxSizing: 'border-box',
    padding: '0 12px 4px',
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground2,
    backgroundColor: tokens.colorNeutralBackground2,
    margin: 0,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
  },
  // A call row's cells are its direct children, placed by area: no wrapper elements to style and lay out.
  row: {
    display: 'grid',
    gridTemplateColumns: '28px minmax(0, 1fr) auto auto auto',
    gridTemplateRows: 'auto auto',
    gridTemplateAreas: '"icon name time duration call" "icon sub time duration call"',
    alignItems: 'center',
    alignContent: 'center',
    columnGap: '12px',
    height: `${CALL_ROW_PX}px`,
    boxSizing: 'border-box',
    padding: '0 12px',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
    color: tokens.colorNeutralForeground1,
  },
  // Phone-narrow: time and duration go under the name, so the name and number get the width. The icon and the
  // call button span all three lines.
  narrowRow: {
    gridTemplateColumns: '28px auto auto minmax(0, 1fr) auto',
    gridTemplateRows: 'auto auto auto',
    gridTemplateAreas: '"icon name name name call" "icon sub sub sub call" "icon time duration . call"',
    rowGap: '2px',
    height: `${CALL_ROW_NARROW_PX}px`,
  },
  missedRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
  icon: { gridArea: 'icon', display: 'block', width: '20px', height: '20px', fill: 'currentColor' },
  linkIcon: { display: 'block', width: '20px', height: '20px', fill: 'currentColor' },
  missed: { color: tokens.colorPaletteRedForeground1 },
  name: {
    gridArea: 'name',
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    fontWeight: tokens.fontWeightSemibold,
  },
  nameMissed: { fontWeight: tokens.fontWeightBold, color: tokens.colorPaletteRedForeground1 },
  sub: {
    gridArea: 'sub',
    minWidth: 0,
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  // Fluent's small filled danger badge, as a span: missed calls carry a word, not only a colour (high-contrast
  // themes flatten the red; the transparent border shows there as a frame).
  badge: {
    display: 'inline-block',
    verticalAlign: 'top',
    boxSizing: 'border-box',
    height: '16px',
    marginInlineEnd: '6px',
    padding: '0 4px',
    borderRadius: tokens.borderRadiusCircular,
    border: `${tokens.strokeWidthThin} solid transparent`,
    backgroundColor: tokens.colorPaletteRedBackground3,
    color: tokens.colorNeutralForegroundOnBrand,
    fontSize: tokens.fontSizeBase100,
    lineHeight: tokens.lineHeightBase100,
    fontWeight: tokens.fontWeightSemibold,
    whiteSpace: 'nowrap',
  },
  time: { gridArea: 'time', fontVariantNumeric: 'tabular-nums', color: tokens.colorNeutralForeground2 },
  duration: { gridArea: 'duration' },
  // Fluent's subtle icon button, as a plain link (the call button of every row).
  callLink: {
    gridArea: 'call',
    display: 'inline-flex',
    alignItems: 'center',
    justifyContent: 'center',
    width: '32px',
    height: '32px',
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground2,
    textDecoration: 'none',
    ':hover': {
      backgroundColor: tokens.colorSubtleBackgroundHover,
      color: tokens.colorNeutralForeground2BrandHover,
    },
    ':active': { backgroundColor: tokens.colorSubtleBackgroundPressed },
    ':focus-visible': {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: '0',
    },
  },
});

export type CallListClasses = ReturnType<typeof useCallListClasses>;
