#!/usr/bin/env node
// Runs the CLI's TypeScript sources through tsx (a dependency of the repository), so `npm link` or
// `npx studio` from a checkout work without a build step.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher: it must load tsx before the sources */
require('tsx/cjs');
require('../src/main.ts');
