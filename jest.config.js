// Four projects so each kind of test can run alone:
//   unit        pure logic, no sockets, seconds
//   integration real HTTP against the emulators on 127.0.0.1, a real SQLite/PostgreSQL store
//   tab         React components in jsdom
//   e2e         the built tab in headless Chromium inside the Teams-like host page
// tsconfig sets isolatedModules, so ts-jest transpiles file by file (fast); `npm run typecheck` does the type checking.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const base = { transform: { '^.+\\.tsx?$': tsJest }, testEnvironment: 'node' };

module.exports = {
  // Generous per-test limit: CI shares 2 cores between jest workers, Chromium and the emulators; rendering Fluent in
  // jsdom under that load takes seconds. Speed is measured by `npm run bench`, never by test timeouts.
  testTimeout: 60_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts'] },
    {
      ...base,
      displayName: 'tab',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/tests/tab/**/*.test.tsx'],
      setupFilesAfterEnv: ['<rootDir>/tests/tab/setup.ts'],
    },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
};
