import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import regexp from 'eslint-plugin-regexp';
// Both come with eslint-plugin-regexp (its own dependencies), so they move with it.
import { RegExpParser, visitRegExpAST } from '@eslint-community/regexpp';
import { getConsumedChars, isPotentiallyEmpty } from 'regexp-ast-analysis';

/**
 * eslint-plugin-regexp only finds attacks that repeat a single character, so it passes
 * /^(<!--[\s\S]*?-->\s*)*x/, whose attack repeats the word `<!---->` and doubles the time per copy.
 * This catches that shape: an unbounded quantifier inside another one, where the inner loop can
 * consume every character that must stand between two of its runs (the rest of one iteration and the
 * start of the next), so one input splits between the loops in exponentially many ways. A separator
 * the inner loop cannot consume, as in /^[a-z]+(?:-[a-z]+)*$/, keeps the split unique and passes.
 */
const noAmbiguousNestedQuantifier = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      nested: '{{inner}} can consume what separates two runs of the enclosing {{outer}}, so an input splits between them in exponentially many ways (ReDoS). Give the runs a separator {{inner}} cannot consume, or scan by hand.',
    },
  },
  create(context) {
    const parser = new RegExpParser({ ecmaVersion: 2025 });
    function check(node, pattern, flags) {
      let literal;
      try {
        literal = parser.parseLiteral(`/${pattern}/${flags}`);
      } catch {
        return; // an invalid pattern is no-invalid-regexp's to report
      }
      visitRegExpAST(literal, {
        onQuantifierEnter(outer) {
          if (outer.max !== Infinity) return;
          visitRegExpAST(outer.element, {
            onQuantifierEnter(inner) {
              if (inner.max !== Infinity || canSeparate(inner, outer, literal.flags)) return;
              // In a regex literal the parser's offsets are the source's; a string's escapes shift them, so point at the call.
              const loc = node.regex ? { start: context.sourceCode.getLocFromIndex(node.range[0] + inner.start), end: context.sourceCode.getLocFromIndex(node.range[0] + inner.end) } : node.loc;
              context.report({ node, loc, messageId: 'nested', data: { inner: inner.raw, outer: outer.raw } });
            },
          });
        },
      });
    }
    /** Whether something between two runs of inner (within one iteration of outer) must consume a character inner cannot. */
    function canSeparate(inner, outer, flags) {
      const chars = getConsumedChars(inner.element, flags).chars;
      for (let node = inner; node !== outer; node = node.parent) {
        if (node.parent.type !== 'Alternative') continue;
        for (const element of node.parent.elements) {
          if (element === node || isPotentiallyEmpty(element, flags)) continue;
          if (getConsumedChars(element, flags).chars.isDisjointWith(chars)) return true;
        }
      }
      return false;
    }
    const isRegExpCall = (node) => node.callee.type === 'Identifier' && node.callee.name === 'RegExp' && node.arguments[0]?.type === 'Literal' && typeof node.arguments[0].value === 'string';
    const fromCall = (node) => {
      if (!isRegExpCall(node)) return;
      const flags = node.arguments[1];
      if (flags && !(flags.type === 'Literal' && typeof flags.value === 'string')) return;
      check(node, node.arguments[0].value, flags?.value ?? '');
    };
    return {
      Literal(node) {
        if (node.regex) check(node, node.regex.pattern, node.regex.flags);
      },
      NewExpression: fromCall,
      CallExpression: fromCall,
    };
  },
};

/**
 * The layers of ARCHITECTURE.md, as import rules: route → controller → service → repository → model, with
 * DTOs and events below services so nothing low depends on something high. `from` is a folder (or file) of
 * src; `forbid` are import patterns it may not use (matched against the import string, relative or not).
 */
const LAYERS = [
  { from: ['src/app/repositories/**', 'src/app/dto/**', 'src/app/events.ts'], forbid: ['**/services/*', '**/controllers/*', '**/processors/*', '**/infra/http/**', '**/http/*', '**/realtime/*', 'express'], why: 'repositories, DTOs and events sit below services and HTTP' },
  { from: ['src/app/services/**'], forbid: ['**/controllers/*', '**/infra/http/**', '**/http/*', '**/realtime/*', '**/processors/*', 'express'], why: 'a service never touches HTTP (req/res, routes, validators) or sockets' },
  { from: ['src/app/controllers/**'], forbid: ['**/repositories/*', '**/repositories/models/*', '**/infra/database/*', 'mongoose'], why: 'a controller never touches a repository or a model: it calls a service' },
  { from: ['src/infra/http/routes/**'], forbid: ['**/services/*', '**/repositories/*', '**/repositories/models/*', '**/container'], why: 'a routes file gets its own controller, not the container or a service' },
  { from: ['src/shared/**'], forbid: ['**/controllers/*', '**/repositories/*', '**/repositories/models/*', '**/routes/*', '**/container'], why: 'shared middleware and errors depend on no feature' },
  { from: ['src/app/processors/**'], forbid: ['**/controllers/*', '**/infra/http/**', '**/http/*', 'express'], why: 'worker processors have no HTTP' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'packages/sdk/src/generated/**', 'web/node_modules/**', 'web/dist/**', 'web/test-results/**', 'web/screenshots/**', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      // Only src/config/env.ts may read the environment (scripts that run outside the app are exempt below).
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/config/env.ts' }],
    },
  },
  {
    // A regex that backtracks or moves super-linearly stalls the event loop on a crafted input (ReDoS).
    // 'potential' also judges regexes whose use the plugin cannot see (zod .regex(), helpers), assuming
    // the worst: a rejecting suffix; partial patterns are checked too, since their source ends up in others.
    plugins: { regexp, local: { rules: { 'no-ambiguous-nested-quantifier': noAmbiguousNestedQuantifier } } },
    rules: {
      'local/no-ambiguous-nested-quantifier': 'error',
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': ['error', { report: 'potential', ignorePartial: false }],
      'regexp/no-misleading-capturing-group': 'error',
    },
  },
  ...LAYERS.map(({ from, forbid, why }) => ({
    files: from,
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: forbid, message: `Layer boundary: ${why} (ARCHITECTURE.md).` }] }] },
  })),
  {
    files: ['src/config/env.ts', 'src/infra/embedded/embedded.ts', 'tests/**', 'bench/**', 'scripts/**', 'packages/cli/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // The web app runs in the browser; its build, e2e and report scripts run in Node outside the API.
    files: ['web/src/**', 'web/test/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Query keys are made by web/src/api/keys.ts alone, whose keys name their resource and their shape: a key
    // written anywhere else can collide with one of another shape (issue 28: an infinite list read as an array).
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    ignores: ['web/src/api/keys.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...[
        "Property[key.name='queryKey'] > ArrayExpression",
        "Property[key.name='queryKey'] > TSAsExpression > ArrayExpression",
        "Property[key.name='queryKey'] > TSSatisfiesExpression > ArrayExpression",
        "Property[key.name='queryKey'] > CallExpression:not([callee.object.object.name='keys'])",
        'CallExpression[callee.property.name=/^((get|set|ensure|fetch|prefetch)(Infinite)?Query(Data|State)?|(get|set)QueriesData|(invalidate|refetch|cancel|remove|reset)Queries)$/] > ArrayExpression.arguments',
      ].map((selector) => ({ selector, message: 'Make query keys with the factory in web/src/api/keys.ts (keys.<resource>.<shape>(...)), so a key always says what shape its data has.' }))],
    },
  },
  {
    files: ['web/scripts/**', 'web/e2e/**', 'web/*.config.ts'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
);
