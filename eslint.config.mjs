// Lint: typescript-eslint's type-checked rules, tuned to catch the faults that matter in a logger
// (promises nobody awaits, conditions that cannot change, `any` leaking into the public API,
// switches that miss a case). Formatting is Prettier's job (`npm run format:check`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'docs/api/',
      'coverage/',
      'logs/',
      'demos/angular/src/',
      'demos/angular/dist/',
      'demos/angular/.angular/',
      'demos/bench/results/',
      // Compiled by the typed-templates spec, which expects some of them to fail.
      'spec/fixtures/typed-templates/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `LogLevelName | string` is deliberate: editors offer the level names while any string is
      // still accepted (and checked at run time, naming the bad value).
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // Passing a caught error on unchanged (`catch (error) { reject(error) }`) is right: wrapping it
      // would hide the original from whoever handles it.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['spec/**/*.ts'],
    rules: {
      // Tests build hostile values (Proxies, thenables, objects typed loosely on purpose) and
      // hand jest's matchers values whose types are wider than the assertion.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Tests throw strings and plain objects on purpose, to check rxlog copes with them.
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
);
