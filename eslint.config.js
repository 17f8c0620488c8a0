// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Globals that would make a run depend on something other than its scenario and schedule. */
const nondeterministic = [
  {
    object: 'Math',
    property: 'random',
    message: 'Use the machine chooser: every choice must replay.',
  },
  {
    object: 'Date',
    property: 'now',
    message: 'Wall-clock time belongs in src/cli and bench only.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.c', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The core runs unchanged in a browser: no Node APIs, no console, no wall clock, no Math.random.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': ['error', ...nondeterministic],
      'no-restricted-globals': [
        'error',
        'process',
        'console',
        'setTimeout',
        'setInterval',
        'performance',
        'Buffer',
      ],
      'no-restricted-imports': [
        'error',
        {
          // Bare module names as `paths` (exact specifiers): a pattern 'fs' would also match
          // the kernel's own src/kernel/fs/ directory.
          paths: ['fs', 'path', 'os', 'child_process', 'worker_threads'].map((name) => ({
            name,
            message: 'Node APIs belong in src/cli.',
          })),
          patterns: [
            {
              group: ['node:*'],
              message: 'Node APIs belong in src/cli.',
            },
            { group: ['**/cli/**', '../cli/*'], message: 'Nothing imports the CLI.' },
          ],
        },
      ],
    },
  },
  {
    // Layering: the engine knows nothing of the model built on it.
    files: ['src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*/**', '!../sim/**'], message: 'src/sim imports only src/sim.' },
            { group: ['node:*'], message: 'no Node APIs in the core' },
          ],
        },
      ],
    },
  },
);
