import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'src/db/generated/', 'dist/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['discord.js-selfbot*', 'discord-selfbot*', '@discord-selfbot/*'], message: 'Import Discord code only from discord.js / @discordjs/*.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
  {
    // Services never know discord.js: it stays at the edge (commands/, src/bot/).
    files: ['src/**/*.ts'],
    ignores: ['src/bot/**', 'src/app.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'discord.js', message: 'discord.js stays in commands/ and src/bot/.' }], patterns: ['@discordjs/*'] }],
    },
  },
);
