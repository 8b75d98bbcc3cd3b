import { act, fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { LAUNCH_WATCH_MS } from '../../tab/src/features/call/launch-watch';
import { me, renderShell } from './harness';

const calls = [
  {
    callId: 'c1',
    direction: 'inbound',
    missed: true,
    number: '030 1234567',
    name: 'Bea Caller',
    startedAt: new Date().toISOString(),
    endedAt: null,
    durationSeconds: 0,
    ringSeconds: 9,
  },
];
const routes = {
  'GET /api/me': () => ({ body: me() }),
  'GET /api/me/calls': () => ({ body: { items: calls } }),
};

describe('click-to-call', () => {
  it('is a real link opening tel: with the E.164 number on desktop', async () => {
    renderShell({ routes, context: { hostClientType: 'desktop', locale: 'de-DE' } });
    const link = await screen.findByRole('link', { name: 'Bea Caller anrufen' });
    expect(link).toHaveAttribute('href', 'tel:+49301234567');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', expect.stringContaining('noopener'));
  });

  it('uses the configured custom scheme on iOS', async () => {
    renderShell({ routes, context: { hostClientType: 'ios', locale: 'de-DE' } });
    const link = await screen.findByRole('link', { name: 'Bea Caller anrufen' });
    expect(link).toHaveAttribute('href', 'micollab://dial?number=%2B49301234567');
  });

  it('builds a link from the dial box and refuses what cannot be dialled', async () => {
    const us = me({ dialRules: { country: 'US', outsidePrefix: '', dialWithPrefix: false } });
    renderShell({
      routes: { ...routes, 'GET /api/me': () => ({ body: us }) },
      context: { hostClientType: 'web', locale: 'de-DE' },
    });
    const input = await screen.findByRole('textbox', { name: 'Rufnummer' });
    await userEvent.type(input, '(212) 555-0100');
    expect(screen.getByRole('link', { name: 'Anrufen (212) 555-0100' })).toHaveAttribute(
      'href',
      'tel:+12125550100',
    );
    await userEvent.clear(input);
    await userEvent.type(input, 'call bob');
    expect(screen.getByText('Diese Nummer kann nicht gewählt werden.')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^Anrufen call bob/ })).not.toBeInTheDocument();
  });

  it('tells the user what to install when nothing handled the link', async () => {
    renderShell({ routes, context: { hostClientType: 'desktop' } });
    const link = await screen.findByRole('link', { name: 'Call Bea Caller' });
    jest.useFakeTimers();
    try {
      link.addEventListener('click', (e) => e.preventDefault()); // jsdom cannot navigate; a browser would try
      fireEvent.click(link);
      act(() => jest.advanceTimersByTime(LAUNCH_WATCH_MS + 10));
    } finally {
      jest.useRealTimers();
    }
    expect(screen.getByRole('alert')).toHaveTextContent(
      /Nothing opened the call.*default app for phone links \(tel:\)/,
    );
  });

  it('stays quiet when the calling app took over (the window lost focus)', async () => {
    renderShell({ routes, context: { hostClientType: 'desktop' } });
    const link = await screen.findByRole('link', { name: 'Call Bea Caller' });
    jest.useFakeTimers();
    const hasFocus = jest.spyOn(document, 'hasFocus').mockReturnValue(false);
    try {
      link.addEventListener('click', (e) => e.preventDefault());
      fireEvent.click(link);
      fireEvent.blur(window);
      act(() => jest.advanceTimersByTime(LAUNCH_WATCH_MS + 10));
    } finally {
      hasFocus.mockRestore();
      jest.useRealTimers();
    }
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
