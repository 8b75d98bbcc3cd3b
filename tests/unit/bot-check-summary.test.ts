import { summarizeCheck as coded } from '../../bot/services/config-check';
import { english } from '../../shared/api/texts/english';

const summarizeCheck = (steps: Parameters<typeof coded>[0]) => english(coded(steps));

describe('configuration check summary', () => {
  it('says all passed only when nothing failed or warned', () => {
    expect(summarizeCheck([{ state: 'passed' }, { state: 'skipped' }])).toBe('All checks passed.');
  });

  it('does not hide a warning (an expiring secret) behind "passed"', () => {
    expect(summarizeCheck([{ state: 'passed' }, { state: 'warning' }])).toBe(
      'No check failed, but 1 step needs attention: see the steps marked so, with their fix.',
    );
  });

  it('counts failures first and mentions warnings after', () => {
    expect(
      summarizeCheck([{ state: 'failed' }, { state: 'warning' }, { state: 'warning' }, { state: 'passed' }]),
    ).toBe('1 of 4 checks failed; each names its fix. Also 2 warnings.');
  });
});
