#!/usr/bin/env node
// Model files through the live backend (QUANTKIT_BACKEND picks it), one run: a safetensors file
// of --mb MiB (default 512) per source dtype (F32, F16, BF16), read sequentially from the page
// cache (16 MiB reads, the rate a converter cannot beat), then converted to GGUF Q8_0 and Q4_K
// by quantizeFile (what `quantkit quantize` runs). Each conversion's rate (input bytes / s) is
// shown beside the read rate; issue 10 asks for ≥ 70 %. Medians of --repeat runs (default 3),
// the page cache warmed first. Not a test: nothing is asserted.
//   node bench/io.js [--mb 512] [--repeat 3]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const qk = require('..');
const { writeSafetensors } = require('../dist/io');
const { quantizeFile } = require('../dist/io');

const args = process.argv.slice(2);
const arg = (k, d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const MB = arg('--mb', 512);
const REPEAT = arg('--repeat', 3);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-bench-io-'));

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
}

async function makeFile(type) {
  const cols = 4096;
  const bytesPer = type === 'f32' ? 4 : 2;
  const rows = 1024;
  const tensorBytes = rows * cols * bytesPer;
  const count = Math.max(1, Math.round((MB * 2 ** 20) / tensorBytes));
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.01) * (1 + (i % 7));
  const data = type === 'f32' ? new Uint8Array(x.buffer) : new Uint8Array((type === 'f16' ? qk.toFloat16(x) : qk.toBFloat16(x)).buffer);
  const file = path.join(dir, `${type}.safetensors`);
  const tensors = Array.from({ length: count }, (_, i) => ({ name: `w${i}`, type, shape: [rows, cols], byteLength: tensorBytes, data }));
  await writeSafetensors(file, tensors);
  return file;
}

function readRate(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(16 << 20);
  const size = fs.fstatSync(fd).size;
  const t0 = process.hrtime.bigint();
  for (let off = 0; off < size; ) off += fs.readSync(fd, buf, 0, buf.length, off);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(fd);
  return size / s;
}

async function convertRate(file, scheme) {
  const out = path.join(dir, `out-${scheme}.gguf`);
  const t0 = process.hrtime.bigint();
  await quantizeFile(file, out, { scheme });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const size = fs.statSync(file).size;
  fs.rmSync(out);
  return size / s;
}

async function main() {
  console.log(`quantkit ${qk.backend.name}/${qk.backend.isa}, ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}; ${MB} MiB files, medians of ${REPEAT}`);
  const rows = [];
  for (const type of ['f32', 'f16', 'bf16']) {
    const file = await makeFile(type);
    readRate(file); // warm the page cache
    const read = median(Array.from({ length: REPEAT }, () => readRate(file)));
    rows.push({ source: type.toUpperCase(), job: 'read (page cache)', mbps: read / 1e6, ofRead: 1 });
    for (const scheme of ['q8_0', 'q4_k']) {
      const rates = [];
      for (let r = 0; r < REPEAT; r++) rates.push(await convertRate(file, scheme));
      const rate = median(rates);
      rows.push({ source: type.toUpperCase(), job: `→ GGUF ${scheme.toUpperCase()}`, mbps: rate / 1e6, ofRead: rate / read });
    }
    fs.rmSync(file);
  }
  console.log('\n| source | job | MB/s | of read rate |\n| --- | --- | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.source} | ${r.job} | ${r.mbps.toFixed(0)} | ${(100 * r.ofRead).toFixed(0)}% |`);
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, 'io-latest.json'), JSON.stringify({ backend: qk.backend, mb: MB, repeat: REPEAT, rows }, null, 2));
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
