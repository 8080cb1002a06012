import { readdirSync, statSync, type Dirent } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * A tiny glob for `package.json` `main` patterns such as `dist/src/functions/*.js`
 * or `dist/src/{index.js,functions/*.js}`: `{a,b}` alternatives (nestable, may hold
 * `/`), `*` and `?` within a segment, `**` for any depth. Like common globs, `*`
 * and `?` do not match a leading dot.
 */
export function globFiles(root: string, pattern: string): string[] {
  const found = new Set<string>();
  for (const alternative of expandBraces(pattern)) {
    const start = isAbsolute(alternative) ? '/' : resolve(root);
    walk(start, alternative.split('/').filter(Boolean), found);
  }
  return [...found].sort();
}

/** `a/{b,c/{d,e}}.js` -> `a/b.js`, `a/c/d.js`, `a/c/e.js`. A brace without a comma stays literal. */
export function expandBraces(pattern: string): string[] {
  const open = findBraceGroup(pattern);
  if (!open) return [pattern];
  const { start, end, options } = open;
  const head = pattern.slice(0, start);
  const tail = pattern.slice(end + 1);
  return options.flatMap((option) => expandBraces(head + option + tail));
}

function findBraceGroup(pattern: string): { start: number; end: number; options: string[] } | undefined {
  for (let start = pattern.indexOf('{'); start >= 0; start = pattern.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let i = start; i < pattern.length; i++) {
      const char = pattern[i];
      if (char === '{') depth++;
      else if (char === ',' && depth === 1) commas.push(i);
      else if (char === '}' && --depth === 0) {
        if (commas.length === 0) break;
        const cuts = [start, ...commas, i];
        const options = cuts.slice(1).map((cut, k) => pattern.slice((cuts[k] ?? start) + 1, cut));
        return { start, end: i, options };
      }
    }
  }
  return undefined;
}

function walk(dir: string, segments: string[], found: Set<string>): void {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  const last = rest.length === 0;

  if (segment === '**') {
    walk(dir, rest, found);
    for (const entry of list(dir)) {
      if (!entry.name.startsWith('.') && isDirectory(join(dir, entry.name), entry)) walk(join(dir, entry.name), segments, found);
    }
    return;
  }

  if (!/[*?]/.test(segment)) {
    const path = join(dir, segment);
    if (last ? isFile(path) : isDirectory(path)) {
      if (last) found.add(path);
      else walk(path, rest, found);
    }
    return;
  }

  const matcher = segmentMatcher(segment);
  for (const entry of list(dir)) {
    if (!matcher.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (last) {
      if (isFile(path, entry)) found.add(path);
    } else if (isDirectory(path, entry)) {
      walk(path, rest, found);
    }
  }
}

function segmentMatcher(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  // Dot files only when the pattern itself starts with a dot.
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${body}$`);
}

function list(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(path: string, entry?: Dirent): boolean {
  if (entry && !entry.isSymbolicLink()) return entry.isFile();
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string, entry?: Dirent): boolean {
  if (entry && !entry.isSymbolicLink()) return entry.isDirectory();
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
