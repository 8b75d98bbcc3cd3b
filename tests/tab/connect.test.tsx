import { render, screen } from '@testing-library/react';
import { NotInTeams } from '../../tab/src/app/NotInTeams';
import { connectToTeams } from '../../tab/src/teams/connect';

describe('outside Teams', () => {
  it('knows at once that a page with no parent frame is not in a Teams host', async () => {
    const started = Date.now();
    const result = await connectToTeams(window, 60_000);
    expect(result).toEqual({ kind: 'notInTeams', reason: 'no parent frame' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('says plainly where to open the tab, in the browser language', () => {
    render(<NotInTeams language="de" />);
    expect(
      screen.getByRole('heading', { name: 'Switchboard in Microsoft Teams öffnen' }),
    ).toBeInTheDocument();
  });
});
