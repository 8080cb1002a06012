'use strict';

/** Tables for the terminal and for bench/results.md, and the machine they ran on. */
const os = require('node:os');
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { ROOT } = require('./dist');

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function gitDescription() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (src/ has uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

/** What the numbers depend on: CPU, cores, memory, OS, Node and package versions. */
function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    packages: Object.fromEntries(
      ['undici', 'autocannon', 'fast-gateway', 'fast-proxy-lite', 'restana', '@azure/functions', '@azure/data-tables', 'azurite', 'typescript'].map((name) => [name, packageVersion(name)]),
    ),
    commit: gitDescription(),
  };
}

const fmt = {
  int: (n) => (n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US')),
  ms: (n) => (n === undefined || Number.isNaN(n) ? '-' : String(Math.round(n * 10) / 10)),
  ratio: (n) => (n === undefined || !Number.isFinite(n) ? '-' : `${n.toFixed(2)}x`),
  us: (n) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(1)),
};

/** A plain-text table (also valid Markdown): header row, separator, rows; numbers right-aligned. */
function table(headers, rows, align = headers.map((_, i) => (i === 0 ? 'left' : 'right'))) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (text, i) => (align[i] === 'left' ? String(text).padEnd(widths[i]) : String(text).padStart(widths[i]));
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const separator = `|${widths.map((w, i) => (align[i] === 'left' ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), separator, ...rows.map(line)].join('\n');
}

function machineSection(machine, extra = {}) {
  const rows = [
    ['CPU', `${machine.cpu} (${machine.cores} logical cores)`],
    ['Memory', `${machine.memoryGb} GB`],
    ['OS', machine.os],
    ['Node.js', machine.node],
    ['Commit', machine.commit],
    ...Object.entries(extra),
    ...Object.entries(machine.packages).map(([name, version]) => [name, version]),
  ];
  return table(['', ''], rows, ['left', 'left']);
}

const START = (mode) => `<!-- bench:${mode}:start -->`;
const END = (mode) => `<!-- bench:${mode}:end -->`;
const TITLE = '# Gateway benchmark results\n\nWritten by `npm run bench` (default run) and `npm run bench -- --scale` (scale run); each run replaces only its own section.\n';

/** Replaces the section of `mode` in results.md, keeping the other run's section. */
function writeSection(file, mode, markdown) {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!text.startsWith('# ')) text = TITLE;
  const block = `${START(mode)}\n${markdown.trim()}\n${END(mode)}`;
  const from = text.indexOf(START(mode));
  const to = text.indexOf(END(mode));
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + END(mode).length);
  else {
    // The default run's section first, then the scale run's.
    const otherStart = mode === 'default' ? text.indexOf(START('scale')) : -1;
    text = otherStart >= 0 ? `${text.slice(0, otherStart)}${block}\n\n${text.slice(otherStart)}` : `${text.trimEnd()}\n\n${block}\n`;
  }
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}

module.exports = { machineInfo, machineSection, table, fmt, writeSection };
