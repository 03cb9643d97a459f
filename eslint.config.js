import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import svelteConfig from './svelte.config.js';

const CHART_JS =
  'Import Chart.js through src/components/ui/chart-parts.ts (lines) or bar-chart-parts.ts (bars).';

export default defineConfig(
  {
    ignores: [
      'dist/',
      '.astro/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Chart.js is imported through its parts modules only, which register the parts the charts
    // use: importing 'chart.js' anywhere else would ship the whole library. Types are free.
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'chart.js', message: CHART_JS, allowTypeImports: true }] },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportExpression[source.value='chart.js']", message: CHART_JS },
      ],
    },
  },
  {
    files: ['src/components/ui/chart-parts.ts', 'src/components/ui/bar-chart-parts.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, svelteConfig },
    },
  },
  {
    // Fakes of async APIs (fetch, health checks) are naturally async functions without await.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
