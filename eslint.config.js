// Lint for docker-jindr: `npm run lint` (and .ci/run). Type-aware typescript-eslint rules
// that catch real bugs (a promise nobody awaits, a promise where a boolean or a void
// callback is expected, a switch that misses a case of a union), plus the core rules that
// find real mistakes. Style is prettier's job (.prettierrc.json), unused names and
// fall-through tsc's (tsconfig.json): neither is repeated here.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', '**/*.cjs', '**/*.js'] },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.ts', 'bench/**/*.ts', 'build/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // The nearest tsconfig.json of each file: the root one, or src/ui/page's (DOM, JSX).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // Promises.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // Passing on a caught error or an abort reason (unknown, any) as it came is fine.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      'no-async-promise-executor': 'error',
      // Unions and values. A switch over a union names every member: a default does not
      // stand in for a member added later (a switch over a string or number needs none).
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-base-to-string': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/no-array-delete': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // Core rules that find mistakes tsc lets through.
      'no-constant-binary-expression': 'error',
      'no-constant-condition': ['error', { checkLoops: 'none' }],
      'no-self-compare': 'error',
      'no-self-assign': 'error',
      'no-unsafe-finally': 'error',
      'no-unsafe-optional-chaining': 'error',
      'no-cond-assign': 'error',
      'no-dupe-else-if': 'error',
      'no-duplicate-case': 'error',
      'no-empty-character-class': 'error',
      'no-invalid-regexp': 'error',
      'no-misleading-character-class': 'error',
      'no-useless-backreference': 'error',
      'no-sparse-arrays': 'error',
      'no-loss-of-precision': 'error',
      'no-compare-neg-zero': 'error',
      'use-isnan': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
);
