'use strict';
// Every ```js example in the README runs, as a user would paste it, against the backend under
// test: `require('quantkit')` is this package. An example that throws (an API that changed
// under the README) fails here. Examples run in order, each in a fresh function scope.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const qk = require('./support/quantkit');

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const blocks = [];
const fence = /^```js\n([\s\S]*?)^```$/gm;
for (let m; (m = fence.exec(readme)) !== null;) {
  blocks.push({ code: m[1], line: readme.slice(0, m.index).split('\n').length + 1 });
}

describe(`README examples (${qk.backend.name}/${qk.backend.isa})`, () => {
  it('has examples to run', () => {
    assert.ok(blocks.length >= 8, `found ${blocks.length} js blocks`);
  });
  for (const { code, line } of blocks) {
    it(`the example at README.md:${line} runs`, async () => {
      const logged = [];
      const localRequire = (name) => (name === 'quantkit' ? qk : name === 'quantkit/io' ? require('../dist/io') : name === 'quantkit/onnx' ? require('../dist/onnx') : name === 'quantkit/stream' ? require('../dist/stream') : require(name));
      localRequire.resolve = require.resolve;
      const consoleStub = { log: (...a) => logged.push(a), error: (...a) => logged.push(a) };
      // An async function body, so that examples may use top-level await (the REPL's and ES modules').
      const AsyncFunction = (async () => undefined).constructor;
      await new AsyncFunction('require', 'console', `'use strict';\n${code}`)(localRequire, consoleStub);
    });
  }
});
