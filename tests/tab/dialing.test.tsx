import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { CallItem, DialRules } from '../../shared/api/contract';
import { me, renderShell, type SeenRequest } from './harness';

const GERMAN_COMPANY: DialRules = { country: 'DE', outsidePrefix: '', dialWithPrefix: false };

function call(partial: Partial<CallItem> & { callId: string }): CallItem {
  return {
    direction: 'inbound',
    missed: false,
    number: '+4930901820',
    name: 'Fabrikam Sales',
    startedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    endedAt: null,
    durationSeconds: 30,
    ringSeconds: 3,
    ...partial,
  };
}

function routes(rules: DialRules, calls: CallItem[] = [call({ callId: 'c1' })]) {
  return {
    'GET /api/me': () => ({ body: me({ dialRules: rules }) }),
    'GET /api/me/calls': () => ({ body: { items: calls } }),
  };
}

async function dial(text: string) {
  const input = await screen.findByRole('textbox', { name: 'Number to call' });
  await userEvent.clear(input);
  await userEvent.type(input, text);
}
const dialLink = (typed: string) => screen.getByRole('link', { name: `Call ${typed}` });

describe('dialling by the company rules, not the Teams UI language', () => {
  it('gives an en-US user in a German company German numbers in E.164', async () => {
    renderShell({ routes: routes(GERMAN_COMPANY), context: { locale: 'en-US', hostClientType: 'desktop' } });
    await dial('030 1234567');
    expect(dialLink('030 1234567')).toHaveAttribute('href', 'tel:+49301234567');
    await dial('0170 1234567');
    expect(dialLink('0170 1234567')).toHaveAttribute('href', 'tel:+491701234567');
  });

  it('keeps feature codes with * and # (percent-encoded, as a URI needs) and extensions as typed', async () => {
    renderShell({ routes: routes(GERMAN_COMPANY), context: { locale: 'en-US', hostClientType: 'desktop' } });
    await dial('*72');
    expect(dialLink('*72')).toHaveAttribute('href', 'tel:*72;phone-context=contoso.example');
    await dial('#31#');
    expect(dialLink('#31#')).toHaveAttribute('href', 'tel:%2331%23;phone-context=contoso.example');
    await dial('2042');
    expect(dialLink('2042')).toHaveAttribute('href', 'tel:2042;phone-context=contoso.example');
  });

  it('takes off the outside-line prefix a user types out of desk-phone habit', async () => {
    const rules = { ...GERMAN_COMPANY, outsidePrefix: '0' };
    renderShell({ routes: routes(rules), context: { locale: 'de-DE', hostClientType: 'desktop' } });
    const input = await screen.findByRole('textbox', { name: 'Rufnummer' });
    await userEvent.type(input, '0 030 1234567');
    expect(screen.getByRole('link', { name: 'Anrufen 0 030 1234567' })).toHaveAttribute(
      'href',
      'tel:+49301234567',
    );
  });

  it('says the admin must set the country when a national number cannot be read without one', async () => {
    const none = { country: null, outsidePrefix: '', dialWithPrefix: false };
    renderShell({ routes: routes(none), context: { locale: 'en-US', hostClientType: 'desktop' } });
    await dial('030 1234567');
    expect(screen.getByText(/Your admin has not set your company’s country yet/)).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Call 030 1234567' })).not.toBeInTheDocument();
    await dial('+49 30 1234567');
    expect(dialLink('+49 30 1234567')).toHaveAttribute('href', 'tel:+49301234567');
  });

  it('shows numbers in the call list formatted for people and dials the E.164 value', async () => {
    renderShell({
      routes: routes(GERMAN_COMPANY, [
        call({ callId: 'c1' }),
        call({ callId: 'c2', name: null, number: '+442071838750' }),
      ]),
      context: { locale: 'en-US', hostClientType: 'desktop' },
    });
    expect(await screen.findByText(/\+49 30 901820/)).toBeInTheDocument();
    expect(screen.queryByText(/\+4930901820/)).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Call Fabrikam Sales' })).toHaveAttribute(
      'href',
      'tel:+4930901820',
    );
    // Without a name the formatted number is the title.
    expect(screen.getByText('+44 20 7183 8750')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Call +44 20 7183 8750' })).toHaveAttribute(
      'href',
      'tel:+442071838750',
    );
  });
});

describe('the whole call history, page by page', () => {
  it('keeps asking for the next page while a search leaves pages empty, and lists a repeated call once', async () => {
    const pages: Record<string, { items: CallItem[]; nextCursor?: string }> = {
      first: { items: [], nextCursor: 'c-1' },
      'c-1': { items: [call({ callId: 'x1', name: 'Erika One' })], nextCursor: 'c-2' },
      'c-2': {
        items: [call({ callId: 'x1', name: 'Erika One' }), call({ callId: 'x2', name: 'Erika Two' })],
      },
    };
    const { seen } = renderShell({
      routes: {
        'GET /api/me': () => ({ body: me({ dialRules: GERMAN_COMPANY }) }),
        'GET /api/me/calls': (r: SeenRequest) => ({ body: pages[r.query.get('cursor') ?? 'first'] }),
      },
      context: { locale: 'en-US' },
    });
    expect(await screen.findByText('Erika Two')).toBeInTheDocument();
    expect(screen.getAllByText('Erika One')).toHaveLength(1);
    await waitFor(() =>
      expect(seen.filter((r) => r.path === '/api/me/calls').map((r) => r.query.get('cursor'))).toEqual([
        null,
        'c-1',
        'c-2',
      ]),
    );
    expect(screen.queryByText('No calls here yet.')).not.toBeInTheDocument();
  });
});
