import {
  dayKey,
  dayLabel,
  formatDuration,
  groupByDay,
  timeOfDay,
} from '../../../tab/src/features/history/format';
import { bucketCounts } from '../../../tab/src/features/admin/HealthSection';
import { consentTargetOf, isTrustedAuthority } from '../../../tab/src/teams/token-claims';
import type { CallItem } from '../../../shared/api/contract';

const words = { today: 'Today', yesterday: 'Yesterday' };

describe('call list formatting', () => {
  it('puts a call into the calendar day of the user’s time zone', () => {
    const lateEvening = new Date('2026-11-22T23:30:00Z');
    expect(dayKey(lateEvening, 'Europe/Berlin')).toBe('2026-11-23');
    expect(dayKey(lateEvening, 'America/New_York')).toBe('2026-11-22');
  });

  it('names today and yesterday, and spells out older days in the locale', () => {
    const now = new Date('2026-11-23T09:00:00Z');
    expect(dayLabel('2026-11-23', now, 'Europe/Berlin', 'en-US', words)).toBe('Today');
    expect(dayLabel('2026-11-22', now, 'Europe/Berlin', 'en-US', words)).toBe('Yesterday');
    expect(dayLabel('2026-11-20', now, 'Europe/Berlin', 'de-DE', words)).toBe('Freitag, 20. November 2026');
  });

  it('writes the time of day as people of the locale do: no leading zero in en-US, two digits in de-DE', () => {
    const morning = new Date('2026-11-23T08:05:00Z');
    const spaced = (text: string) => text.replace(/\s/g, ' ');
    expect(spaced(timeOfDay(morning, 'Europe/Berlin', 'en-US'))).toBe('9:05 AM');
    expect(timeOfDay(morning, 'Europe/Berlin', 'de-DE')).toBe('09:05');
    expect(timeOfDay(new Date('2026-11-23T15:14:00Z'), 'Europe/Berlin', 'de-DE')).toBe('16:14');
  });

  it('formats durations', () => {
    expect(formatDuration(42)).toBe('0:42');
    expect(formatDuration(725)).toBe('12:05');
    expect(formatDuration(3723)).toBe('1:02:03');
  });

  it('groups newest-first calls under one header per day', () => {
    const c = (id: string, at: string) => ({ callId: id, startedAt: at }) as CallItem;
    const rows = groupByDay(
      [c('a', '2026-11-23T08:00:00Z'), c('b', '2026-11-23T07:00:00Z'), c('c', '2026-11-22T07:00:00Z')],
      'UTC',
    );
    expect(rows.map((r) => (r.kind === 'day' ? r.key : r.call.callId))).toEqual([
      '2026-11-23',
      'a',
      'b',
      '2026-11-22',
      'c',
    ]);
  });
});

describe('health histogram', () => {
  it('turns cumulative buckets into per-bucket counts', () => {
    expect(
      bucketCounts([
        { le: 1, count: 3 },
        { le: 5, count: 7 },
        { le: 10, count: 7 },
      ]),
    ).toEqual([
      { le: 1, count: 3 },
      { le: 5, count: 4 },
      { le: 10, count: 0 },
    ]);
  });
});

describe('consent target', () => {
  const token = (claims: object) => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.y`;

  it('reads the app and the authority from the SSO token', () => {
    const claims = {
      aud: 'api://switchboard.example/botid-b7e3f1a2-5c4d-4e6f-8a9b-1c2d3e4f5a6b',
      iss: 'https://login.microsoftonline.com/6f1c2a4e-3b5d-4c8e-9a7f-0d2e4b6c8a10/v2.0',
    };
    expect(consentTargetOf(token(claims))).toEqual({
      clientId: 'b7e3f1a2-5c4d-4e6f-8a9b-1c2d3e4f5a6b',
      authority: 'https://login.microsoftonline.com/6f1c2a4e-3b5d-4c8e-9a7f-0d2e4b6c8a10',
    });
    expect(consentTargetOf('not-a-jwt')).toBeNull();
  });

  it('sends users only to Entra sign-in hosts or a loopback emulator', () => {
    expect(isTrustedAuthority('https://login.microsoftonline.com/t')).toBe(true);
    expect(isTrustedAuthority('http://127.0.0.1:4001/t')).toBe(true);
    expect(isTrustedAuthority('https://login.microsoftonline.com.evil.example/t')).toBe(false);
    expect(isTrustedAuthority('http://login.microsoftonline.com/t')).toBe(false);
  });
});
