'use strict';
// The typings a strict TypeScript consumer compiles against (test/types/consumer.*), for
// both CommonJS and ESM resolution; the @ts-expect-error lines there prove misuse is refused.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

describe('typings', () => {
  it('compile for a strict TypeScript consumer (CJS and ESM), and reject misuse', function () {
    this.timeout(120000);
    const tsc = require.resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types', 'tsconfig.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
