import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-electron/**',
      'dist-renderer/**',
      '.dist-renderer-*/**',
      'artifacts/**',
      'node_modules/**',
      'coverage/**',
      '.stryker-tmp/**',
      'reports/**',
      'release/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The engine never imports electron: it runs headless and is tested without it.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'src/ is the engine: electron belongs in electron/.' }] }],
    },
  },
  {
    // The windows are web pages behind a sandboxed preload: the contract's types and window.dandelion, never Node or electron.
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'renderer/ talks to the main process only through window.dandelion.' }],
          patterns: [
            { group: ['node:*'], message: 'renderer/ is a web page: no Node modules.' },
            {
              group: ['**/src/*', '!**/src/ipc', '!**/src/format.js', '!**/src/profile-ids.js'],
              message: 'renderer/ may import src/ipc/ (types), src/format.js and src/profile-ids.js only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain Node scripts (benchmarks, quick start).
    files: ['**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'Buffer',
          'URL',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'setImmediate',
          'performance',
          'AbortController',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
);
