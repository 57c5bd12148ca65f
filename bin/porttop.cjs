#!/usr/bin/env node
// The installed entry point. It turns on Node's module compile cache (Node 22.1+), then loads one
// bundled CommonJS file built by `npm run build` (scripts/bundle.mjs): for `porttop who 8080` the who
// command's own bundle, a third of the whole CLI, and the whole CLI only when the call needs yargs
// (--help, a bad flag) or is another command. A one-shot command then starts in little more than
// Node's own start-up.
'use strict';
const { existsSync, mkdirSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { enableCompileCache } = require('node:module');

/** The user's cache folder, as each OS names it (XDG on Linux). */
function compileCacheDirectory() {
  const { env, platform } = process;
  const home = require('node:os').homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'porttop', 'Cache', 'node-compile-cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'porttop', 'node-compile-cache');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'porttop', 'node-compile-cache');
}

/**
 * Creates the folder one level at a time. Node's recursive mkdir (which enableCompileCache uses too)
 * loops forever where the kernel answers ENOENT for a parent that exists, e.g. a folder under /proc.
 */
function ensureDirectory(path) {
  const missing = [];
  for (let current = path; !existsSync(current); current = dirname(current)) {
    if (dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const directory of missing) mkdirSync(directory);
}

if (enableCompileCache) {
  try {
    const directory = compileCacheDirectory();
    ensureDirectory(directory);
    // NODE_DISABLE_COMPILE_CACHE=1 still turns it off
    enableCompileCache(directory);
  } catch {
    // no home directory, or a folder we may not write: run without the cache, only slower
  }
}

/** The command's own bundle (dist/bin/commands/<name>.cjs) when it has one; null otherwise. */
function commandBundle(name) {
  if (!/^[a-z]+$/.test(name || '')) return null;
  const file = join(__dirname, '..', 'dist', 'bin', 'commands', `${name}.cjs`);
  return existsSync(file) ? require(file) : null;
}

async function run(args) {
  const bundle = commandBundle(args[0]);
  if (bundle) {
    const code = await bundle.runPlainCall(bundle.command, args, bundle.processRuntime());
    if (code !== null) return code;
  }
  return require('../dist/bin/porttop.cjs').main(args);
}

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
