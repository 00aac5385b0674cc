#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('plugin-conformance: dist/ is missing; run `npm run build` (npm ci does it through "prepare").');
  process.exit(2);
}
const { main } = await import(cli.href);
// exit explicitly: a plugin or worker handle left behind must never keep CI waiting.
process.exit(await main(process.argv.slice(2)));
