import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * One config block per folder. A later block's options replace an earlier one's for the same rule, so
 * each folder's block carries the rule for every file (the first) as well as its own.
 */
function boundaries(blocks) {
  const [everywhere, ...folders] = blocks;
  return [
    everywhere,
    ...folders.map((block) => ({ ...block, patterns: [...everywhere.patterns, ...block.patterns] })),
  ].map(({ files, ignores, patterns }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  }));
}

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'data',
      '.tap',
      'coverage',
      'migrations',
      'eslint.config.js',
      'examples/generated/hey-api',
      // A package of its own (the bench's generic REST layer): its dependencies are installed only
      // when the bench runs it, so its imports have no types to lint against here.
      'bench/platformatic',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    // scripts/*.mjs run on plain node before anything is compiled (scripts/build.mjs): linted outside tsconfig.
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['scripts/*.mjs', 'test/setup/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify plugins are async functions by contract, awaiting or not.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The live page's script and style (public/live/): plain browser JavaScript, served as it is.
    files: ['public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: globals.browser,
    },
  },
  // Dependencies point one way (docs/architecture.md): server -> app -> plugins and modules ->
  // formats -> db and lib. Each block names what its folder may not import.
  ...boundaries([
    {
      files: ['src/**/*.ts'],
      ignores: ['src/app.ts'],
      patterns: [
        { group: ['**/*.routes.js'], message: 'Only src/app.ts registers routes; share a view or repository instead.' },
      ],
    },
    {
      files: ['src/lib/**/*.ts'],
      patterns: [
        {
          group: ['**/db/**', '**/plugins/**', '**/modules/**', '**/formats/**', '**/app.js', '**/config.js'],
          message: 'src/lib holds helpers that know no tables, plugins or resources.',
        },
      ],
    },
    {
      files: ['src/db/**/*.ts'],
      patterns: [
        {
          group: ['**/plugins/**', '**/modules/**', '**/formats/**', '**/app.js'],
          message: 'src/db knows nothing of HTTP.',
        },
      ],
    },
    {
      files: ['src/plugins/**/*.ts'],
      patterns: [
        {
          group: ['**/modules/**'],
          message: 'Plugins do not know resources: announce a change (app.onWrite) and let the module listen.',
        },
      ],
    },
    {
      files: ['src/formats/**/*.ts'],
      patterns: [
        {
          group: ['**/modules/**'],
          allowTypeImports: true,
          message: 'A format takes the views it renders as arguments.',
        },
        { group: ['**/plugins/**'], message: 'A format knows no plugins.' },
      ],
    },
    {
      files: ['src/cli/**/*.ts'],
      ignores: ['src/cli/openapi-export.ts'],
      patterns: [
        { group: ['**/app.js'], message: 'A CLI opens the database itself (databaseOptions in src/db/client.ts).' },
      ],
    },
  ]),
  {
    // tap's t.test() returns a promise that tap itself tracks; fetch().json() and inject bodies
    // are loosely typed, and the tests check their shapes themselves.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
