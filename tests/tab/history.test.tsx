import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { CallItem } from '../../shared/api/contract';
import { me, renderShell, type SeenRequest } from './harness';

const NOW = Date.now();
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

function call(partial: Partial<CallItem> & { callId: string }): CallItem {
  return {
    direction: 'inbound',
    missed: false,
    number: '+4930123456',
    name: 'Bea Caller',
    startedAt: minutesAgo(5),
    endedAt: minutesAgo(3),
    durationSeconds: 125,
    ringSeconds: 4,
    ...partial,
  };
}

const calls: CallItem[] = [
  call({ callId: 'c1', name: 'Bea Caller', number: '030 1234567', durationSeconds: 125 }),
  call({ callId: 'c2', name: 'Carl Nobody', number: '+49 89 7654321', missed: true, durationSeconds: 0 }),
  call({
    callId: 'c3',
    name: null,
    number: '2042',
    direction: 'outbound',
    startedAt: minutesAgo(60 * 26),
    durationSeconds: 3723,
  }),
  call({ callId: 'c4', name: null, number: '', startedAt: minutesAgo(60 * 27), durationSeconds: 20 }),
];

/** A server that pages `all` by 100 with opaque cursors ("after-<n>"), as /api/me/calls does. */
function paged(all: CallItem[], fail: (from: number) => boolean = () => false) {
  return (r: SeenRequest) => {
    const cursor = r.query.get('cursor');
    const from = cursor ? Number(cursor.slice('after-'.length)) : 0;
    if (fail(from))
      return {
        status: 503,
        body: { error: { code: 'cloudlink_unavailable', message: 'The phone system did not answer.' } },
      };
    const next = from + 100;
    return {
      body: { items: all.slice(from, next), ...(next < all.length ? { nextCursor: `after-${next}` } : {}) },
    };
  };
}

function routes(
  items: CallItem[] = calls,
  extra: Record<string, (r: SeenRequest) => { status?: number; body?: unknown }> = {},
) {
  return {
    'GET /api/me': () => ({ body: me() }),
    'GET /api/me/calls': () => ({ body: { items } }),
    ...extra,
  };
}

describe('call history', () => {
  it('lists calls grouped by day with names, numbers, durations and the bearer token', async () => {
    const { seen } = renderShell({ routes: routes() });
    expect(await screen.findByText('Bea Caller')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Today' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Yesterday' })).toBeInTheDocument();
    expect(screen.getByText('2:05')).toBeInTheDocument();
    expect(screen.getByText('1:02:03')).toBeInTheDocument();
    expect(screen.getByText('2042')).toBeInTheDocument(); // no name: the number is the title
    expect(screen.getByText('Unknown')).toBeInTheDocument(); // neither: said so, and no call button
    expect(screen.queryByRole('link', { name: 'Call Unknown' })).not.toBeInTheDocument();
    expect(seen.every((r) => r.authorization === 'Bearer sso-token-for-test')).toBe(true);
  });

  it('makes missed calls stand out', async () => {
    renderShell({ routes: routes() });
    const missedName = await screen.findByText('Carl Nobody');
    const row = missedName.closest('[data-testid="call-row"]') as HTMLElement;
    expect(row).toHaveAttribute('data-missed', 'true');
    expect(within(row).getByText(/Missed/)).toBeInTheDocument();
    const answered = screen.getByText('Bea Caller').closest('[data-testid="call-row"]') as HTMLElement;
    expect(answered).not.toHaveAttribute('data-missed');
  });

  it('asks the server for the chosen filter and the search text', async () => {
    const { seen } = renderShell({ routes: routes() });
    await screen.findByText('Bea Caller');
    await userEvent.click(screen.getByRole('button', { name: 'Missed' }));
    await waitFor(() => expect(seen.at(-1)?.query.get('filter')).toBe('missed'));
    expect(screen.getByRole('button', { name: 'Missed' })).toHaveAttribute('aria-pressed', 'true');
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search by name or number' }), 'Carl');
    await waitFor(() => expect(seen.at(-1)?.query.get('q')).toBe('Carl'));
    expect(seen.at(-1)?.query.get('filter')).toBe('missed');
  });

  it('says so when there are no calls, and when a search finds none', async () => {
    const { seen } = renderShell({ routes: routes([]) });
    expect(await screen.findByText('No calls here yet.')).toBeInTheDocument();
    await userEvent.type(screen.getByRole('searchbox'), 'zz');
    expect(await screen.findByText('No calls match "zz".')).toBeInTheDocument();
    expect(seen.some((r) => r.query.get('q') === 'zz')).toBe(true);
  });

  it('says in German that the account is not matched to a phone user, not the server’s English, and retries', async () => {
    let fail = true;
    renderShell({
      context: { locale: 'de-DE' },
      routes: routes(calls, {
        'GET /api/me/calls': () =>
          fail
            ? {
                status: 404,
                body: {
                  error: {
                    code: 'no_phone_user',
                    message: 'Your Teams account is not matched to a phone user yet.',
                  },
                },
              }
            : { body: { items: calls } },
      }),
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Ihre Anrufe konnten nicht geladen werden.');
    expect(alert).toHaveTextContent('keinem Telefonbenutzer zugeordnet');
    expect(document.body.textContent).not.toMatch(/not matched|no longer exists|existiert nicht mehr/);
    fail = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Erneut versuchen' }));
    expect(await screen.findByText('Bea Caller')).toBeInTheDocument();
  });

  it('says in German that the phone system is not linked yet, not "Das wurde nicht angenommen:" and the server’s English', async () => {
    renderShell({
      context: { locale: 'de-DE' },
      routes: routes(calls, {
        'GET /api/me/calls': () => ({
          status: 409,
          body: {
            error: {
              code: 'cloudlink_not_linked',
              message: 'Your company has not linked its phone system yet.',
            },
          },
        }),
      }),
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Ihre Firma hat ihre Telefonanlage noch nicht verknüpft.');
    expect(document.body.textContent).not.toMatch(/phone system|nicht angenommen/);
  });

  it('with the server down says so in German, never the browser’s "Failed to fetch", and a retry shows the calls', async () => {
    let up = false;
    renderShell({
      context: { locale: 'de-DE' },
      routes: routes(calls, {
        'GET /api/me/calls': () => {
          if (!up) throw new TypeError('Failed to fetch');
          return { body: { items: calls } };
        },
      }),
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Ihre Anrufe konnten nicht geladen werden.');
    expect(alert).toHaveTextContent('Switchboard ist gerade nicht erreichbar.');
    expect(document.body.textContent).not.toMatch(/TypeError|Failed to fetch|Could not load/);
    up = true;
    await userEvent.click(within(alert).getByRole('button', { name: 'Erneut versuchen' }));
    expect(await screen.findByText('Bea Caller')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('renders only a window of 10,000 calls and pages on when scrolled to the end', async () => {
    const many = Array.from({ length: 10_000 }, (_v, i) =>
      call({ callId: `m${i}`, name: `Person ${i}`, startedAt: new Date(NOW - i * 60_000).toISOString() }),
    );
    const { seen } = renderShell({
      routes: routes(many, {
        'GET /api/me/calls': paged(many),
      }),
    });
    expect(await screen.findByText('Person 0')).toBeInTheDocument();
    expect(screen.getAllByTestId('call-row').length).toBeLessThan(60);
    const scroller = screen.getByTestId('history-scroller');
    await act(async () => {
      scroller.scrollTop = 100 * 56;
      fireEvent.scroll(scroller);
    });
    await waitFor(() =>
      expect(seen.some((r) => r.path === '/api/me/calls' && r.query.get('cursor') === 'after-100')).toBe(
        true,
      ),
    );
    expect(screen.queryByText('Person 0')).not.toBeInTheDocument();
  });

  it('keeps the rows in list order in the DOM as they scroll, each saying where it is in the list', async () => {
    const fifty = Array.from({ length: 50 }, (_v, i) =>
      call({ callId: `o${i}`, name: `Person ${i}`, startedAt: new Date(NOW - i * 1_000).toISOString() }),
    );
    renderShell({ routes: routes(fifty) });
    await screen.findByText('Person 0');
    const scroller = screen.getByTestId('history-scroller');
    // Down by 20 rows, back up by 7: rows leave at one end and come in at the other, both ways.
    for (const rowsDown of [20, 13]) {
      await act(async () => {
        scroller.scrollTop = 36 + rowsDown * 56;
        fireEvent.scroll(scroller);
      });
      // Screen readers and Tab follow the DOM: once the scroll settles it reads top to bottom, whatever slot a row
      // was given while it scrolled.
      await waitFor(() => {
        const items = [...scroller.querySelectorAll('[role="listitem"]')];
        const first = Number(items[0]!.getAttribute('aria-posinset'));
        expect(items.map((item) => item.querySelector('span')?.textContent)).toEqual(
          items.map((_item, k) => `Person ${first + k - 2}`),
        );
        expect(items.map((item) => Number(item.getAttribute('aria-posinset')))).toEqual(
          items.map((_item, k) => first + k),
        );
      });
      // Only a window of the list exists: each item tells its place among all 51 (a day header and 50 calls).
      const items = within(scroller).getAllByRole('listitem');
      expect(items.every((item) => item.getAttribute('aria-setsize') === '51')).toBe(true);
      expect(screen.getByText(`Person ${rowsDown}`)).toBeInTheDocument();
    }
    expect(screen.queryByText('Person 0')).not.toBeInTheDocument();
  });

  it('puts the rows in order at once when a key is pressed in the list, before Tab picks the next row', async () => {
    const fifty = Array.from({ length: 50 }, (_v, i) =>
      call({ callId: `k${i}`, name: `Person ${i}`, startedAt: new Date(NOW - i * 1_000).toISOString() }),
    );
    renderShell({ routes: routes(fifty) });
    await screen.findByText('Person 0');
    const scroller = screen.getByTestId('history-scroller');
    await act(async () => {
      scroller.scrollTop = 36 + 6 * 56;
      fireEvent.scroll(scroller);
    });
    fireEvent.keyDown(scroller, { key: 'Tab' });
    const names = within(scroller)
      .getAllByRole('listitem')
      .map((item) => item.querySelector('span')?.textContent ?? '');
    expect(names).toEqual([...names].sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1])));
    expect(names[0]).toBe('Person 2');
  });

  it('hands the focus to the list when the focused row scrolls away, so the keyboard keeps its place', async () => {
    const fifty = Array.from({ length: 50 }, (_v, i) =>
      call({ callId: `f${i}`, name: `Person ${i}`, startedAt: new Date(NOW - i * 1_000).toISOString() }),
    );
    renderShell({ routes: routes(fifty) });
    const link = await screen.findByRole('link', { name: 'Call Person 1' });
    link.focus();
    expect(link).toHaveFocus();
    const scroller = screen.getByTestId('history-scroller');
    await act(async () => {
      scroller.scrollTop = 30 * 56;
      fireEvent.scroll(scroller);
    });
    expect(screen.queryByText('Person 1')).not.toBeInTheDocument();
    expect(scroller).toHaveFocus();
  });

  it('says the length of the list is not known yet while more pages are to come', async () => {
    const many = Array.from({ length: 300 }, (_v, i) =>
      call({ callId: `s${i}`, name: `Person ${i}`, startedAt: new Date(NOW - i * 1_000).toISOString() }),
    );
    renderShell({ routes: routes(many, { 'GET /api/me/calls': paged(many) }) });
    await screen.findByText('Person 0');
    const items = within(screen.getByTestId('history-scroller')).getAllByRole('listitem');
    expect(items.every((item) => item.getAttribute('aria-setsize') === '-1')).toBe(true);
  });

  it('ends the history at a page whose nextCursor is null, without asking again', async () => {
    // The contract leaves nextCursor out at the end; a null (a proxy's or another server's JSON) must end it too.
    const { seen } = renderShell({
      routes: routes(calls, { 'GET /api/me/calls': () => ({ body: { items: calls, nextCursor: null } }) }),
    });
    await screen.findByText('Bea Caller');
    await waitFor(() => {
      const items = within(screen.getByTestId('history-scroller')).getAllByRole('listitem');
      // The list's length is known (calls and day headings), not -1 for "more to come".
      expect(items.map((item) => item.getAttribute('aria-setsize'))).toEqual(
        items.map(() => String(items.length)),
      );
    });
    expect(seen.filter((r) => r.path === '/api/me/calls').map((r) => r.query.get('cursor'))).toEqual([null]);
  });

  it('shows a failed next page with a retry instead of retrying in a loop', async () => {
    const many = Array.from({ length: 300 }, (_v, i) =>
      call({ callId: `p${i}`, name: `Person ${i}`, startedAt: new Date(NOW - i * 60_000).toISOString() }),
    );
    let failPages = true;
    const { seen } = renderShell({
      routes: routes(many, {
        'GET /api/me/calls': paged(many, (from) => from > 0 && failPages),
      }),
    });
    await screen.findByText('Person 0');
    const scroller = screen.getByTestId('history-scroller');
    await act(async () => {
      scroller.scrollTop = 95 * 56;
      fireEvent.scroll(scroller);
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Switchboard has a problem on its side.');
    expect(alert).not.toHaveTextContent('The phone system did not answer.');
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.filter((r) => r.query.get('cursor') === 'after-100')).toHaveLength(1);
    failPages = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByRole('alert')).not.toBeInTheDocument());
    expect(seen.filter((r) => r.query.get('cursor') === 'after-100')).toHaveLength(2);
  });

  it('uses the Teams locale: German labels and day names', async () => {
    renderShell({ routes: routes(), context: { locale: 'de-DE' } });
    expect(await screen.findByRole('heading', { name: 'Heute' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Verpasst' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Bea Caller anrufen' })).toBeInTheDocument();
  });
});
