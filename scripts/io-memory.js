#!/usr/bin/env node
// Issue 10's memory check, run by CI (not a timed test): generate a 4 GiB float32 safetensors
// file, convert it to GGUF Q8_0 with the `quantkit` command in a child process, and check the
// child's peak RSS (getrusage maxrss) stays below 512 MB. The output is then read back with
// quantkit's GGUF reader and spot-checked (tensor infos, and a few chunks' blocks against
// ggml.quantize of the same source floats). Usage: node scripts/io-memory.js [GiB=4] [dir]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { writeSafetensors, openTensorFile } = require('../dist/io');
const { ggml } = require('../dist');

const GIB = Number(process.argv[2] || 4);
const dir = fs.mkdtempSync(path.join(process.argv[3] || os.tmpdir(), 'quantkit-mem-'));
const LIMIT_MB = 512;
const ROWS = 4096;
const COLS = 4096; // 64 MiB a tensor
const tensorBytes = ROWS * COLS * 4;
const count = Math.round((GIB * 2 ** 30) / tensorBytes);

// Eight 16 MiB chunks of smooth, varied floats, made once; chunk c of tensor i is one of them
// scaled by (i + 1) / count, so tensors differ and the generator stays fast and small.
const CHUNK = 1 << 22;
const POOL = Array.from({ length: 8 }, (_, p) => {
  const x = new Float32Array(CHUNK);
  for (let j = 0; j < CHUNK; j++) x[j] = Math.sin(j * 0.001 + p) * (1 + ((j * 2654435761) % 97) / 97);
  return x;
});
function chunkOf(i, c) {
  const x = new Float32Array(POOL[(i + c) % POOL.length]);
  const k = (i + 1) / count;
  for (let j = 0; j < CHUNK; j++) x[j] *= k;
  return x;
}

async function main() {
  const src = path.join(dir, 'big.safetensors');
  const out = path.join(dir, 'big-q8_0.gguf');
  const tensors = [];
  for (let i = 0; i < count; i++) {
    tensors.push({
      name: `layers.${i}.weight`,
      type: 'f32',
      shape: [ROWS, COLS],
      byteLength: tensorBytes,
      async *chunks() {
        for (let c = 0; c < tensorBytes / 4 / CHUNK; c++) {
          const x = chunkOf(i, c);
          yield new Uint8Array(x.buffer);
        }
      },
    });
  }
  let t = Date.now();
  await writeSafetensors(src, tensors, { metadata: { purpose: 'quantkit memory check' } });
  const size = fs.statSync(src).size;
  console.log(`generated ${src}: ${count} tensors, ${(size / 2 ** 30).toFixed(2)} GiB in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  t = Date.now();
  const cli = path.join(__dirname, '..', 'bin', 'quantkit.js');
  const child = spawnSync(process.execPath, ['-e', `process.argv = [process.execPath, ${JSON.stringify(cli)}, 'quantize', ${JSON.stringify(src)}, ${JSON.stringify(out)}, '--scheme', 'q8_0', '--quiet'];
    require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'cli', 'index.js'))}).main().then(() => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));`], { encoding: 'utf8' });
  const seconds = (Date.now() - t) / 1000;
  if (child.status !== 0) throw new Error(`quantkit quantize failed (status ${child.status}): ${child.stderr}`);
  const m = child.stderr.match(/maxrss (\d+)/);
  if (!m) throw new Error(`no maxrss in the child's stderr: ${child.stderr}`);
  const peakMb = Number(m[1]) / 1024; // getrusage reports KiB on Linux
  console.log(`quantkit quantize ${(size / 2 ** 30).toFixed(2)} GiB safetensors F32 → GGUF Q8_0: ${seconds.toFixed(1)} s (${(size / 1e6 / seconds).toFixed(0)} MB/s), peak RSS ${peakMb.toFixed(0)} MiB (limit ${LIMIT_MB})`);

  const g = await openTensorFile(out);
  try {
    if (g.format !== 'gguf' || g.tensors.length !== count) throw new Error(`the output lists ${g.tensors.length} tensors (${g.format}), expected ${count} (gguf)`);
    const s = await openTensorFile(src);
    try {
      for (const i of [0, count - 1]) {
        const info = g.tensor(`layers.${i}.weight`);
        if (info.type !== 'q8_0' || info.shape.join() !== `${ROWS},${COLS}`) throw new Error(`layers.${i}.weight is ${info.type} [${info.shape}]`);
        for (const c of [0, tensorBytes / 4 / CHUNK - 1]) {
          const x = await s.readFloat32(info.name, c * CHUNK, CHUNK);
          const want = ggml.quantize(x, 'q8_0');
          const got = await g.readBytes(info.name, (c * CHUNK * 34) / 32, want.length);
          if (Buffer.compare(Buffer.from(want), Buffer.from(got)) !== 0) throw new Error(`layers.${i}.weight chunk ${c}: blocks differ from ggml.quantize of the same floats`);
        }
      }
    } finally {
      await s.close();
    }
  } finally {
    await g.close();
  }
  console.log('output checked: tensor infos and sampled blocks match');
  if (peakMb >= LIMIT_MB) throw new Error(`peak RSS ${peakMb.toFixed(0)} MiB is not below ${LIMIT_MB} MiB`);
}

main()
  .then(() => fs.rmSync(dir, { recursive: true, force: true }))
  .catch((e) => {
    fs.rmSync(dir, { recursive: true, force: true });
    console.error(`io-memory: ${e.message}`);
    process.exit(1);
  });
