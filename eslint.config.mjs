import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layering (issue 15 item 9). In a flat config the last block that sets a rule for a file wins outright, so every
// product block below repeats the patterns it inherits; these constants keep the copies one.

/** Test equipment (tests/support: the virtual clock, the loopback receiver, the shared sync set-up; the bench). */
const TEST_EQUIPMENT = {
  group: ['**/tests/**', '**/bench/**'],
  message: 'product code never imports test equipment (tests/, bench/)',
};
/** shared/ is used by the apps, never the other way round. */
const APPS = {
  group: ['**/bot/**', '**/tab/**', '**/emulators/**'],
  message: 'shared never imports the apps',
};
/** What does I/O: Node's own modules (with or without node:), the database drivers, the server, the metrics sink. */
const IO_MODULES = [...builtinModules, 'better-sqlite3', 'pg', 'restify', 'pino', 'prom-client'].map(
  (name) => ({
    name,
    message: 'the domain is pure: time and data come in as arguments',
  }),
);

export default tseslint.config(
  { ignores: ['node_modules/**', 'tab/dist/**', 'appPackage/build/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['jest.config.js'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Domain code must stay free of I/O: tab and bot may use shared, never the other way round.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [APPS, TEST_EQUIPMENT] }],
    },
  },
  {
    // The bot serves the tab and starts the emulators in demo mode; it never leans on test equipment.
    files: ['bot/**/*.ts', 'tab/**/*.ts', 'tab/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [TEST_EQUIPMENT] }],
    },
  },
  {
    // The bot's conversation is framework-free (issue 15 item 8): botbuilder is the transport in bot/teams only.
    files: ['bot/conversation/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['botbuilder*', 'botframework-*', '@microsoft/agents-*', '@microsoft/teams.*'],
              message: 'the conversation knows no bot SDK: translate in bot/teams',
            },
            {
              group: ['**/teams/*', '!**/shared/teams/*', 'restify*'],
              message: 'the conversation knows no transport',
            },
            TEST_EQUIPMENT,
          ],
        },
      ],
    },
  },
  {
    // The sync engine knows ports, not adapters (issue 15 item 9). The exceptions are named and each has a reason:
    // the fence wraps each HTTP attempt of the adapters (attempt-gate); the subscriptions take CloudLink's subject
    // filters from the adapter that knows the subject syntax (subjects). Webhooks reach the sync as the port's typed
    // PbxEvent, read by the adapter (CloudLinkPort.readWebhook).
    files: ['shared/sync/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            APPS,
            TEST_EQUIPMENT,
            {
              regex: '/adapters/(?!http/attempt-gate$|cloudlink/subjects$)',
              message: 'the sync engine talks to ports (shared/ports), not adapters',
            },
            {
              // What the engine holds per user (engine/entry.ts) stays in the engine (issue 15 item 7).
              regex: '/engine/(?!sync-engine$)',
              message: "the engine's parts are its own: ask engine/sync-engine.ts",
            },
          ],
        },
      ],
    },
  },
  {
    // Emulators are test equipment that must not share the product's assumptions: they import none of its code.
    files: ['emulators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/shared/**', '**/bot/**', '**/tab/**'],
              message: "emulators model the vendors' documents, not the product's code",
            },
          ],
        },
      ],
    },
  },
  {
    // Services are used by the HTTP routes and the bot, never the other way round: a service turns a request down
    // with a ServiceRefusal (bot/services/refusal.ts), and the HTTP layer picks the status.
    files: ['bot/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '/http/', message: 'services do not depend on the HTTP layer' },
            { group: ['restify*'], message: 'services do not depend on the HTTP layer' },
            TEST_EQUIPMENT,
          ],
        },
      ],
    },
  },
  {
    // The domain decides; it does no I/O and knows nothing that does (adapters, the store, the sync engine).
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES,
          patterns: [
            { group: ['node:*'], message: 'the domain is pure: time and data come in as arguments' },
            {
              group: ['**/adapters/**', '**/store/**', '**/sync/**', '**/platform/**'],
              message: 'the domain knows no adapter, store, engine or platform code',
            },
            APPS,
            TEST_EQUIPMENT,
          ],
        },
      ],
    },
  },
);
