import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
      'no-restricted-imports': ['error', { patterns: ['**/bot/**', '**/tab/**', '**/emulators/**'] }],
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
            {
              group: ['**/bot/**', '**/tab/**', '**/emulators/**'],
              message: 'shared never imports the apps',
            },
            {
              regex: '/adapters/(?!http/attempt-gate$|cloudlink/subjects$)',
              message: 'the sync engine talks to ports (shared/ports), not adapters',
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
      'no-restricted-imports': ['error', { patterns: ['**/shared/**', '**/bot/**', '**/tab/**'] }],
    },
  },
  {
    // Services are used by the HTTP routes and the bot, never the other way round. ApiHttpError is the one import
    // left (two services still answer with HTTP errors; issue 15 item 4 moves them behind typed results).
    files: ['bot/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '/http/(?!errors$)', message: 'services do not depend on the HTTP layer' },
            { group: ['restify*'], message: 'services do not depend on the HTTP layer' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'fs', 'http', 'https', 'net', '**/adapters/**', '**/store/**', '**/sync/**'] },
      ],
    },
  },
);
