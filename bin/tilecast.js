#!/usr/bin/env node
// Entry point of the `tilecast` command: runs the bundled CLI in dist/, building it first if a
// fresh clone has not been built yet. It holds no logic of its own.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const root = join(__dirname, '..');
const bundled = join(root, 'dist', 'cli.js');
if (!existsSync(bundled)) {
  const { execFileSync } = require('node:child_process');
  execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
}
require(bundled);
