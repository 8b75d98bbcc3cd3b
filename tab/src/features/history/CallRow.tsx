import { Badge, makeStyles, mergeClasses, tokens, Text } from '@fluentui/react-components';
import { memo, useMemo } from 'react';
import { CallInboundRegular, CallMissedRegular, CallOutboundRegular } from '@fluentui/react-icons';
import type { CallItem } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { useDialing } from '../../callto/useDialing';
import { useT } from '../../i18n';
import { CallLink } from '../call/CallLink';
import { formatDuration, timeOfDay } from './format';

export const CALL_ROW_PX = 56;
export const CALL_ROW_NARROW_PX = 76;

const useStyles = makeStyles({
  row: {
    display: 'grid',
    gridTemplateColumns: '28px minmax(0, 1fr) auto auto auto',
    alignItems: 'center',
    columnGap: '12px',
    height: `${CALL_ROW_PX}px`,
    padding: '0 12px',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  // Phone-narrow: time and duration go under the name, so the name and number get the width. The icon and the
  // call button span both lines.
  narrowRow: {
    gridTemplateColumns: '28px minmax(0, 1fr) auto',
    gridTemplateRows: 'auto auto',
    alignContent: 'center',
    rowGap: '2px',
    height: `${CALL_ROW_NARROW_PX}px`,
    '& > :first-child': { gridRow: '1 / span 2' },
    '& > :last-child': { gridColumn: '3', gridRow: '1 / span 2' },
  },
  // Wide, the pair is two grid columns of its own; narrow, one line under the name.
  when: { display: 'contents' },
  narrowWhen: { display: 'flex', gap: '8px', gridColumn: '2', gridRow: '2' },
  missed: { color: tokens.colorPaletteRedForeground1 },
  missedRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
  subLine: { display: 'flex', gap: '6px', alignItems: 'center', minWidth: 0 },
  who: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  name: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  sub: { color: tokens.colorNeutralForeground3 },
  time: { fontVariantNumeric: 'tabular-nums', color: tokens.colorNeutralForeground2 },
});

/**
 * One call. Memoized: while the list scrolls, the virtualizer re-renders the page on every scroll event, and only
 * rows that come into view should render, not every row already on screen.
 */
export const CallRow = memo(function CallRow(props: {
  call: CallItem;
  narrow?: boolean;
  onNotHandled(href: string): void;
}) {
  const { call } = props;
  const t = useT();
  const env = useEnv();
  const s = useStyles();
  const dialing = useDialing();
  // The link dials E.164 (or the extension); people read the number formatted.
  const href = useMemo(() => dialing.callUri(call.number), [dialing, call.number]);
  const number = useMemo(() => (call.number ? dialing.display(call.number) : ''), [dialing, call.number]);
  // Without a name the number is the best title; a call with neither still gets a row.
  const name = call.name || number || t('unknownCaller');
  const kind = call.missed ? t('missed') : call.direction === 'inbound' ? t('incoming') : t('outgoing');
  const Icon = call.missed
    ? CallMissedRegular
    : call.direction === 'inbound'
      ? CallInboundRegular
      : CallOutboundRegular;
  return (
    <div
      className={mergeClasses(s.row, props.narrow && s.narrowRow, call.missed && s.missedRow)}
      data-testid="call-row"
      data-missed={call.missed || undefined}
    >
      <Icon aria-hidden className={call.missed ? s.missed : undefined} fontSize={20} />
      <div className={s.who}>
        <Text
          weight={call.missed ? 'bold' : 'semibold'}
          className={mergeClasses(s.name, call.missed && s.missed)}
        >
          {name}
        </Text>
        <span className={s.subLine}>
          {/* Missed calls carry a badge, not only a colour: high-contrast themes flatten the red. */}
          {call.missed ? (
            <Badge size="small" color="danger" appearance="filled">
              {kind}
            </Badge>
          ) : null}
          <Text size={200} className={s.sub}>
            {call.name && number ? number : ''}
            {call.name && number && !call.missed ? ' · ' : ''}
            {call.missed ? '' : kind}
          </Text>
        </span>
      </div>
      <span className={props.narrow ? s.narrowWhen : s.when}>
        <Text className={s.time}>{timeOfDay(new Date(call.startedAt), env.timeZone, env.locale)}</Text>
        <Text className={s.time} aria-label={call.durationSeconds > 0 ? undefined : t('durationNone')}>
          {call.durationSeconds > 0 ? formatDuration(call.durationSeconds) : '–'}
        </Text>
      </span>
      {href ? (
        <CallLink
          href={href}
          label={t('callButton', { name })}
          onNotHandled={() => props.onNotHandled(href)}
        />
      ) : (
        <span />
      )}
    </div>
  );
});
