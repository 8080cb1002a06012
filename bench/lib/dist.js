'use strict';

const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

/** The project root, seen from bench/lib. */
const ROOT = resolve(__dirname, '..', '..');

/** Path of a compiled module under dist/src (e.g. `catalog/catalogStore`); the bench runs the build first. */
function dist(module) {
  const file = join(ROOT, 'dist', 'src', `${module}.js`);
  const index = join(ROOT, 'dist', 'src', module, 'index.js');
  if (existsSync(file)) return file;
  if (existsSync(index)) return index;
  throw new Error(`${file} is missing: build first (npm run build).`);
}

module.exports = dist;
module.exports.ROOT = ROOT;
