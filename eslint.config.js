// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'data/',
      'coverage/',
      'drizzle/',
      'node_modules/',
      'eslint.config.js',
      'ecosystem.config.cjs',
      // Plain-Node helpers that run before a build exists (npm start); no type information.
      'scripts/',
      // Its own package (aws-cdk-lib), checked by its own `npm test` (tsc strict + assertions).
      'infrastructure/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  security.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Object lookups here use keys from our own typed constants, never raw user input.
      'security/detect-object-injection': 'off',
    },
  },
  // Module boundaries. Another feature module is used through its index.ts only, so its
  // internals may change freely. Its *.table.ts files are the exception: all tables together are
  // the one database schema (src/db/schema.ts), which foreign keys and joins reference. Shared
  // code in lib/ depends on no feature module.
  {
    files: ['src/modules/*/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^\.\./[^./][^/]*/(?!index\.js$|[\w.-]+\.table\.js$)`,
              message: "Import another module through its index.ts ('../<module>/index.js').",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/modules/*/*/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^\.\./\.\./[^./][^/]*/(?!index\.js$|[\w.-]+\.table\.js$)`,
              message: "Import another module through its index.ts ('../../<module>/index.js').",
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/*.ts',
      'src/{config,demo,jobs,realtime,middleware,integrations,test-support}/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`modules/[^/]+/(?!index\.js$|[\w.-]+\.table\.js$)`,
              message: 'Import a feature module through its index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`(^|/)modules/`,
              message: 'lib/ is shared by every module and depends on none of them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'src/test-support/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // supertest types response bodies as any; tests read them as untyped JSON on purpose.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      'security/detect-non-literal-fs-filename': 'off',
    },
  },
  prettier,
);
