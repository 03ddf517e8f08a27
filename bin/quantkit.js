#!/usr/bin/env node
'use strict';
// Loading quantkit can fail before the command runs (QUANTKIT_BACKEND naming a backend that
// does not load, a broken install): one line, exit status 1, as the command's own errors.
let cli;
try {
  cli = require('../dist/cli/index.js');
} catch (e) {
  process.stderr.write(`quantkit: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
cli.main();
