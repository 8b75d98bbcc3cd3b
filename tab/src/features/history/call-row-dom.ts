import { mergeClasses } from '@fluentui/react-components';
import type { CallItem } from '../../../../shared/api/contract';
import type { CallListClasses } from './call-list-styles';
import type { HistoryRow } from './format';

/**
 * The call list's rows, written straight into recycled elements rather than rendered by React: on every frame of a
 * fast scroll a row or two comes into view, and React's reconciliation of them (with each row's dozen elements) was
 * most of the frame's main-thread time (docs/benchmarks.md). A slot is one list item; filling it with another row
 * changes only the text and attributes that differ, so the browser restyles and lays out just those.
 */

/** The classes of a row in each of its states, merged once per layout (Griffel's classes are atomic: merging, not
 * concatenating, decides which of two rules for one property wins). */
export interface RowClasses {
  callSlot: string;
  callSlotMissed: string;
  daySlot: string;
  day: string;
  name: string;
  nameMissed: string;
  sub: string;
  badge: string;
  time: string;
  duration: string;
  callLink: string;
}

export function rowClasses(c: CallListClasses, narrow: boolean): RowClasses {
  return {
    callSlot: mergeClasses(c.slot, c.row, narrow && c.narrowRow),
    callSlotMissed: mergeClasses(c.slot, c.row, narrow && c.narrowRow, c.missedRow),
    daySlot: mergeClasses(c.slot, c.daySlot),
    day: c.day,
    name: c.name,
    nameMissed: mergeClasses(c.name, c.nameMissed),
    sub: c.sub,
    badge: c.badge,
    time: c.time,
    duration: mergeClasses(c.time, c.duration),
    callLink: c.callLink,
  };
}

/**
 * The icons a row shows, rendered once by React (Fluent's icon components, with the list's classes: the missed one
 * red) and cloned into rows.
 */
export interface RowIcons {
  inbound: Element;
  outbound: Element;
  missed: Element;
  call: Element;
}

/** What a row shows besides the record, resolved once per list render (translations, the dialling rules). */
export interface RowContext {
  classes: RowClasses;
  icons: RowIcons;
  words: { missed: string; incoming: string; outgoing: string; unknown: string; durationNone: string };
  callLabel(name: string): string;
  /** The link that calls the number, or null; cached per number. */
  callUri(raw: string): string | null;
  /** The number as people read it; cached per number. */
  display(raw: string): string;
  /** Time of day and duration in the user's zone and language; cached per record. */
  when(call: CallItem): { time: string; duration: string };
  /** "Today", "Yesterday" or the date, for a yyyy-mm-dd day key. */
  dayLabel(key: string): string;
}

/** The row's link carries this attribute; the list watches clicks on it in one place (HistoryList). */
export const CALL_LINK_ATTRIBUTE = 'data-call-link';

type IconKind = keyof RowIcons;

interface CallParts {
  iconKind: IconKind;
  icon: Element;
  name: HTMLSpanElement;
  nameText: Text;
  sub: HTMLSpanElement;
  subText: Text;
  badge: HTMLSpanElement;
  badgeText: Text;
  time: HTMLSpanElement;
  timeText: Text;
  duration: HTMLSpanElement;
  durationText: Text;
  link: HTMLAnchorElement;
}

interface DayParts {
  heading: HTMLHeadingElement;
  text: Text;
}

/** One list item of the pool; it shows a call or a day header, whichever row it is given. */
export interface RowSlot {
  el: HTMLDivElement;
  kind: 'call' | 'day' | null;
  call?: CallParts;
  day?: DayParts;
}

export function createRowSlot(doc: Document): RowSlot {
  const el = doc.createElement('div');
  el.setAttribute('role', 'listitem');
  return { el, kind: null };
}

/** Writes `row` into the slot, touching only what differs from what it shows now. */
export function fillRowSlot(slot: RowSlot, row: HistoryRow, ctx: RowContext): void {
  if (row.kind === 'day') fillDay(slot, row.key, ctx);
  else fillCall(slot, row.call, ctx);
}

function fillDay(slot: RowSlot, key: string, ctx: RowContext): void {
  const c = ctx.classes;
  const parts = (slot.day ??= dayParts(slot.el.ownerDocument));
  if (slot.kind !== 'day') {
    slot.kind = 'day';
    slot.el.removeAttribute('data-testid');
    slot.el.removeAttribute('data-missed');
    slot.el.removeAttribute('data-call-id');
    slot.el.replaceChildren(parts.heading);
  }
  setClass(slot.el, c.daySlot);
  setClass(parts.heading, c.day);
  setText(parts.text, ctx.dayLabel(key));
}

function dayParts(doc: Document): DayParts {
  const heading = doc.createElement('h3');
  const text = heading.appendChild(doc.createTextNode(''));
  return { heading, text };
}

function fillCall(slot: RowSlot, call: CallItem, ctx: RowContext): void {
  const c = ctx.classes;
  const doc = slot.el.ownerDocument;
  const parts = (slot.call ??= callParts(doc, ctx));
  if (slot.kind !== 'call') {
    slot.kind = 'call';
    slot.el.setAttribute('data-testid', 'call-row');
    slot.el.replaceChildren(parts.icon, parts.name, parts.sub, parts.time, parts.duration);
  }
  const href = ctx.callUri(call.number);
  // The link dials E.164 (or the extension); people read the number formatted.
  const number = call.number ? ctx.display(call.number) : '';
  // Without a name the number is the best title; a call with neither still gets a row.
  const name = call.name || number || ctx.words.unknown;
  const kind = call.missed
    ? ctx.words.missed
    : call.direction === 'inbound'
      ? ctx.words.incoming
      : ctx.words.outgoing;

  setClass(slot.el, call.missed ? c.callSlotMissed : c.callSlot);
  setAttr(slot.el, 'data-missed', call.missed ? 'true' : null);
  // Which call a recycled row shows now, for whoever inspects the list (a browser test, a support session).
  setAttr(slot.el, 'data-call-id', call.callId);

  const iconKind: IconKind = call.missed ? 'missed' : call.direction === 'inbound' ? 'inbound' : 'outbound';
  if (parts.iconKind !== iconKind) {
    const icon = iconClone(ctx.icons[iconKind]);
    parts.icon.replaceWith(icon);
    parts.icon = icon;
    parts.iconKind = iconKind;
  }

  setClass(parts.name, call.missed ? c.nameMissed : c.name);
  setText(parts.nameText, name);

  // Missed calls carry a badge, not only a colour: high-contrast themes flatten the red.
  setClass(parts.sub, c.sub);
  setClass(parts.badge, c.badge);
  setText(parts.badgeText, ctx.words.missed);
  if (call.missed && parts.badge.parentNode !== parts.sub) parts.sub.insertBefore(parts.badge, parts.subText);
  if (!call.missed && parts.badge.parentNode) parts.badge.remove();
  const shownNumber = call.name && number ? number : '';
  setText(parts.subText, call.missed ? shownNumber : shownNumber ? `${shownNumber} · ${kind}` : kind);

  const { time, duration } = ctx.when(call);
  setClass(parts.time, c.time);
  setText(parts.timeText, time);
  setClass(parts.duration, c.duration);
  setText(parts.durationText, duration);
  setAttr(parts.duration, 'aria-label', call.durationSeconds > 0 ? null : ctx.words.durationNone);

  if (href) {
    // A real link the user clicks: inside the Teams iframe only a user-activated target=_blank link gets through.
    const label = ctx.callLabel(name);
    setClass(parts.link, c.callLink);
    setAttr(parts.link, 'href', href);
    setAttr(parts.link, 'aria-label', label);
    setAttr(parts.link, 'title', label);
    if (parts.link.parentNode !== slot.el) slot.el.appendChild(parts.link);
  } else if (parts.link.parentNode) {
    parts.link.remove();
  }
}

function callParts(doc: Document, ctx: RowContext): CallParts {
  const span = () => doc.createElement('span');
  const textIn = (el: Element) => el.appendChild(doc.createTextNode(''));
  const name = span();
  const sub = span();
  const badge = span();
  const time = span();
  const duration = span();
  const link = doc.createElement('a');
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  link.setAttribute(CALL_LINK_ATTRIBUTE, '');
  link.appendChild(iconClone(ctx.icons.call));
  const badgeText = textIn(badge);
  return {
    iconKind: 'inbound',
    icon: iconClone(ctx.icons.inbound),
    name,
    nameText: textIn(name),
    sub,
    subText: textIn(sub),
    badge,
    badgeText,
    time,
    timeText: textIn(time),
    duration,
    durationText: textIn(duration),
    link,
  };
}

function iconClone(template: Element): Element {
  const icon = template.cloneNode(true) as Element;
  icon.setAttribute('aria-hidden', 'true');
  return icon;
}

// Writes only what changed: the browser restyles and lays out what was written, even when it is the same value.
function setText(node: Text, value: string): void {
  if (node.data !== value) node.data = value;
}

function setClass(el: Element, value: string): void {
  if (el.getAttribute('class') !== value) el.setAttribute('class', value);
}

function setAttr(el: Element, name: string, value: string | null): void {
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}
