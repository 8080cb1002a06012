import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandBraces, globFiles } from '../../src/local/glob';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'local-glob-'));
  for (const file of ['dist/src/index.js', 'dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/functions/b.js.map', 'dist/src/functions/.hidden.js', 'dist/src/functions/deep/c.js', 'dist/src/other.js']) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const glob = (pattern: string) => globFiles(root, pattern).map((file) => relative(root, file).split('\\').join('/'));

describe('expandBraces', () => {
  it('expands alternatives, nested ones and ones holding slashes', () => {
    expect(expandBraces('dist/src/{index.js,functions/*.js}')).toEqual(['dist/src/index.js', 'dist/src/functions/*.js']);
    expect(expandBraces('{a,b{1,2}}.js')).toEqual(['a.js', 'b1.js', 'b2.js']);
    expect(expandBraces('no{brace}.js')).toEqual(['no{brace}.js']);
  });
});

describe('globFiles', () => {
  it('matches * within one folder, files only, without dot files, sorted', () => {
    expect(glob('dist/src/functions/*.js')).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js']);
  });

  it('combines braces and wildcards', () => {
    expect(glob('dist/src/{index.js,functions/*.js}')).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/index.js']);
    expect(glob('dist/src/functions/{a,b}.js')).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js']);
  });

  it('supports ? and ** and plain paths', () => {
    expect(glob('dist/src/functions/?.js')).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js']);
    expect(glob('dist/**/c.js')).toEqual(['dist/src/functions/deep/c.js']);
    expect(glob('dist/src/index.js')).toEqual(['dist/src/index.js']);
    expect(glob('dist/src/missing.js')).toEqual([]);
    expect(glob('dist/src/functions/.*.js')).toEqual(['dist/src/functions/.hidden.js']);
  });
});
