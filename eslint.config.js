// ESLint flat config. The layer rules below are the point of this file: they keep the dependency
// direction of DESIGN.md ("dependencies point inward") true as the code grows. See docs/development.md.
//
// How the layer rules work. `no-restricted-imports` matches the import string as written, not the file it
// resolves to, and our imports are relative ('../../db/database'). So for each layer folder we emit one
// config block per folder depth: a file N folders below `src/domain` leaves the layer exactly when its
// import climbs N+1 times ('../' repeated N+1 times). That is exact, whatever the sub-folders are called.
//
// Three separate rules carry the restrictions so that their file sets never have to be merged (in flat
// config the last matching block replaces a rule's options, it does not add to them):
//   @typescript-eslint/no-restricted-imports  layer rules (one layer per file; supports allowTypeImports)
//   no-restricted-imports                     SQL libraries only in src/db
//   no-restricted-properties / -syntax        process.env only in src/config.ts (and tooling)
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const CODE = '**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}';
const MAX_DEPTH = 10;

/** Glob for the code files exactly `depth` folders below `dir`. */
const filesAtDepth = (dir, depth) => `${dir}/${'*/'.repeat(depth)}*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}`;

/**
 * Regex (source) for an import string that, from a file `depth` folders below some folder F, climbs
 * exactly to F's parent and then continues with `rest` (a regex fragment, e.g. '/(?:db|http)(?:/|$)').
 * The optional leading './' covers the odd './../x' spelling.
 */
const climb = (depth, rest) => `^(?:\\./)?(?:\\.\\./){${depth}}\\.\\.${rest}`;

/** One config block per depth below `dir`, each with its own `@typescript-eslint/no-restricted-imports` patterns. */
function layer(dir, patternsAtDepth) {
  return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    name: `cabinet/layers/${dir}/depth-${depth}`,
    files: [filesAtDepth(dir, depth)],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: patternsAtDepth(depth) }],
    },
  }));
}

// --- messages -----------------------------------------------------------------------------------------
const DOMAIN_MSG =
  'src/domain is pure TypeScript with no I/O: it may import only other src/domain files, zod and node: builtins. ' +
  'Move the logic into domain, or have the outer layer pass plain data in (docs/development.md, "Layer rules").';
const POLICY_MSG =
  'src/policy may depend on domain (and contracts), never on services, db, http, jobs, cli or integrations: ' +
  'policies are evaluated by services, not the other way round (docs/development.md, "Layer rules").';
const SERVICES_OUTER_MSG =
  'src/services may not import http, jobs or cli: those layers call services, not the reverse. ' +
  'Throw a domain error (domain/errors.ts) instead of an HTTP one (docs/development.md, "Layer rules").';
const SERVICES_DB_MSG =
  'src/services may import from src/db only with `import type` (repository and transaction types). ' +
  'Take the repositories in the `deps` object of the service factory (docs/development.md, "Layer rules").';
const CONTRACTS_MSG =
  'src/contracts is shared with the web app: it may import only zod and src/domain (docs/development.md, "Layer rules").';
const WEB_MSG =
  'web/src may import from the server only src/contracts (and src/domain/auth/roles.ts, which contracts use); ' +
  'everything else is server code. Talk to the server through the API client (docs/development.md, "Layer rules").';
const SQL_MSG =
  'SQL lives only in src/db: kysely, pg and better-sqlite3 may be imported only there (and in test/, bench/, scripts/). ' +
  'Add a repository method in src/db/repositories instead (docs/development.md, "Layer rules").';
const ENV_MSG =
  'Only src/config.ts reads process.env (parsed once, validated with zod). Take the value from the Config object ' +
  '(docs/development.md, "Layer rules").';

// Import strings that name an npm package: not relative, not absolute, not a node: builtin.
const NPM_OR_BUILTIN_EXCEPT_ZOD = '^(?![./]|zod(?:/|$))';
// The domain may also use rrule: pure recurrence arithmetic (RFC 5545), no I/O.
const NPM_EXCEPT_PURE = '^(?![./]|node:|zod(?:/|$)|rrule(?:/|$))';

// Places that may read process.env.
const ENV_ALLOWED = ['src/config.ts', 'test/**', 'bench/**', 'scripts/**', 'e2e/**', 'playwright.config.ts', 'web/vite.config.ts'];

export default defineConfig(
  globalIgnores(
    [
      '**/node_modules/',
      '**/dist/',
      'data/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'coverage/',
      'bench/results/',
      '.scratch/',
    ],
    'cabinet/ignores',
  ),
  { name: 'cabinet/files', files: [CODE] },
  js.configs.recommended,
  tseslint.configs.recommended,

  // --- general ---------------------------------------------------------------------------------------
  {
    name: 'cabinet/general',
    files: [CODE],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    name: 'cabinet/web-browser-globals',
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // NOTE: migrations take Kysely<any> on purpose: they are frozen once landed and must not depend on the
    // current schema types (STYLE.md, "Migrations take Kysely<any>").
    name: 'cabinet/migrations',
    files: ['src/db/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // --- layer rules (one block per depth; see the header) ----------------------------------------------
  ...layer('src/domain', (d) => [
    { regex: climb(d, '(?:$|/(?!domain/))'), caseSensitive: true, message: DOMAIN_MSG },
    { regex: NPM_EXCEPT_PURE, caseSensitive: true, message: DOMAIN_MSG },
  ]),
  ...layer('src/policy', (d) => [
    { regex: climb(d, '/(?:services|db|http|jobs|cli|integrations)(?:/|$)'), caseSensitive: true, message: POLICY_MSG },
  ]),
  ...layer('src/services', (d) => [
    { regex: climb(d, '/(?:http|jobs|cli)(?:/|$)'), caseSensitive: true, message: SERVICES_OUTER_MSG },
    { regex: climb(d, '/db(?:/|$)'), caseSensitive: true, allowTypeImports: true, message: SERVICES_DB_MSG },
  ]),
  ...layer('src/contracts', (d) => [
    { regex: climb(d, '(?:$|/(?!domain/|contracts/))'), caseSensitive: true, message: CONTRACTS_MSG },
    { regex: NPM_OR_BUILTIN_EXCEPT_ZOD, caseSensitive: true, message: CONTRACTS_MSG },
  ]),
  // web/src is two levels below the root, so reaching the server's src/ takes depth + 2 climbs.
  ...layer('web/src', (d) => [
    {
      regex: climb(d + 1, '/src(?:$|/(?!contracts/|domain/auth/roles(?:\\.[jt]s)?$))'),
      caseSensitive: true,
      message: WEB_MSG,
    },
  ]),

  // --- SQL only in src/db ------------------------------------------------------------------------------
  {
    name: 'cabinet/sql-only-in-db',
    files: [CODE],
    ignores: ['src/db/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?:kysely|pg|better-sqlite3)(?:/|$)', caseSensitive: true, message: SQL_MSG }] },
      ],
    },
  },

  // --- process.env only in src/config.ts ---------------------------------------------------------------
  {
    name: 'cabinet/env-only-in-config',
    files: [CODE],
    ignores: ENV_ALLOWED,
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MSG }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
          message: ENV_MSG,
        },
      ],
    },
  },
);
