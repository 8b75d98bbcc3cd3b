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
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'fs', 'http', 'https', 'net', '**/adapters/**', '**/store/**', '**/sync/**'] },
      ],
    },
  },
);
