import { memo } from 'react';
import {
  CallInboundRegular,
  CallMissedRegular,
  CallOutboundRegular,
  CallRegular,
} from '@fluentui/react-icons';
import type { CallItem } from '../../../../shared/api/contract';
import { mergeClasses } from '@fluentui/react-components';
import type { CallListClasses } from './call-list-styles';

/** The classes of a row in each of its states, merged once per layout (Griffel's classes are atomic: merging, not
 * concatenating, decides which of two rules for one property wins). */
export interface RowClasses {
  row: string;
  rowMissed: string;
  icon: string;
  iconMissed: string;
  who: string;
  name: string;
  nameMissed: string;
  subLine: string;
  sub: string;
  badge: string;
  when: string;
  time: string;
  callLink: string;
}

export function rowClasses(c: CallListClasses, narrow: boolean): RowClasses {
  const row = mergeClasses(c.row, narrow && c.narrowRow);
  return {
    row,
    rowMissed: mergeClasses(c.row, narrow && c.narrowRow, c.missedRow),
    icon: c.icon,
    iconMissed: mergeClasses(c.icon, c.missed),
    who: c.who,
    name: c.name,
    nameMissed: mergeClasses(c.name, c.nameMissed),
    subLine: c.subLine,
    sub: c.sub,
    badge: c.badge,
    when: narrow ? c.narrowWhen : c.when,
    time: c.time,
    callLink: c.callLink,
  };
}

/** What a row shows besides the record, resolved once per list render (translations, the dialling rules). */
export interface CallRowContext {
  classes: RowClasses;
  words: { missed: string; incoming: string; outgoing: string; unknown: string; durationNone: string };
  callLabel(name: string): string;
  /** The link that calls the number, or null; cached per number. */
  callUri(raw: string): string | null;
  /** The number as people read it; cached per number. */
  display(raw: string): string;
  /** Time of day and duration in the user's zone and language; cached per record. */
  when(call: CallItem): { time: string; duration: string };
}

/** The row's link carries this attribute; the list watches clicks on it in one place (HistoryList). */
export const CALL_LINK_ATTRIBUTE = 'data-call-link';

/**
 * One call, as plain elements with classes resolved by the list: rows mount on every frame of a fast scroll, so a
 * row runs no hooks and renders no Fluent component but the icons. Memoized: the list re-renders on every scroll
 * event, and rows already on screen must not render again.
 */
export const CallRow = memo(function CallRow(props: { call: CallItem; ctx: CallRowContext }) {
  const { call, ctx } = props;
  const c = ctx.classes;
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
  const Icon = call.missed
    ? CallMissedRegular
    : call.direction === 'inbound'
      ? CallInboundRegular
      : CallOutboundRegular;
  const { time, duration } = ctx.when(call);
  const label = href ? ctx.callLabel(name) : '';
  return (
    <div
      className={call.missed ? c.rowMissed : c.row}
      data-testid="call-row"
      data-missed={call.missed || undefined}
    >
      <Icon aria-hidden className={call.missed ? c.iconMissed : c.icon} />
      <div className={c.who}>
        <span className={call.missed ? c.nameMissed : c.name}>{name}</span>
        <span className={c.subLine}>
          {/* Missed calls carry a badge, not only a colour: high-contrast themes flatten the red. */}
          {call.missed ? <span className={c.badge}>{kind}</span> : null}
          <span className={c.sub}>
            {call.name && number ? number : ''}
            {call.name && number && !call.missed ? ' · ' : ''}
            {call.missed ? '' : kind}
          </span>
        </span>
      </div>
      <span className={c.when}>
        <span className={c.time}>{time}</span>
        <span className={c.time} aria-label={call.durationSeconds > 0 ? undefined : ctx.words.durationNone}>
          {duration}
        </span>
      </span>
      {href ? (
        // A real link the user clicks: inside the Teams iframe only a user-activated target=_blank link gets through.
        <a
          className={c.callLink}
          href={href}
          target="_blank"
          rel="noopener noreferrer"
          aria-label={label}
          title={label}
          {...{ [CALL_LINK_ATTRIBUTE]: '' }}
        >
          <CallRegular aria-hidden className={c.icon} />
        </a>
      ) : (
        <span />
      )}
    </div>
  );
});
