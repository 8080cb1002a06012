// ESLint 9 flat config: typescript-eslint's type-aware rules for the app's source,
// the recommended (syntax-only) rules for tests, benchmarks and scripts.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/profiles/**', 'coverage/**', 'test/local/fixture*/**'] },
  js.configs.recommended,
  {
    rules: {
      // Validation patterns match control characters on purpose (ids, header values, XML text).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Passing on a caught error as it came (it is `unknown` in TypeScript) is not inventing a non-Error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // The test console's browser script: its own tsconfig (DOM, no Node).
    files: ['src/lab/console/client/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: './tsconfig.browser.json', tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser },
    },
  },
  {
    files: ['test/**/*.ts', '*.mts'],
    extends: [...tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['infra/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['bench/**/*.js', 'test/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
);
