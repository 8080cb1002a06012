import type { z } from 'zod';
import {
  ArmError,
  malformedBody,
  missingProperties,
  requestTooLarge,
  validationError,
  type ArmErrorDetail,
} from '../apim/armErrors';

/**
 * Request bodies at the edge: bytes -> JSON -> `{ properties }` -> a zod-checked
 * value. Every failure is a 400 naming the bad fields; nothing past here sees
 * unchecked input.
 */

/** Larger than any real resource body; protects the parser, not the catalog (which has its own limits). */
export const MAX_BODY_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The parsed JSON of a body; undefined when there is none. */
export function readJson(body: Uint8Array | null): unknown {
  if (body === null || body.length === 0) return undefined;
  if (body.length > MAX_BODY_BYTES) throw requestTooLarge(MAX_BODY_BYTES);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw malformedBody();
  }
  if (text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the body, which may hold a key: never pass it on.
    throw malformedBody();
  }
  if (deeperThan(json, MAX_JSON_DEPTH)) throw new ArmError('ValidationError', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  return json;
}

/**
 * Deepest nesting of arrays and objects a body may have. Real bodies are a few
 * levels deep; free-form members (`responses`, `representations`) are stored as
 * sent, and a structure thousands of levels deep would overflow the stack of
 * every JSON.stringify that later writes or answers it.
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests arrays or objects more than `limit` levels deep. Iterative: no recursion on client input. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(item)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The `properties` of an ARM PUT/PATCH body, checked by `schema`. A body without
 * `properties` is APIM's "Invalid payload format" 400; field errors are targeted
 * `properties.<field>`.
 */
export function readProperties<S extends z.ZodType>(body: Uint8Array | null, schema: S): z.output<S> {
  const json = readJson(body);
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('properties' in json)) throw missingProperties();
  return check(schema, (json).properties, 'properties');
}

/** Validates `value`, throwing a ValidationError whose details name each bad field under `prefix`. */
export function check<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(zodDetails(result.error, prefix));
}

/**
 * One detail per bad field (its first zod issue: an empty key is "too small", no
 * need to add that it also fails the pattern), `target` in the client's own
 * notation: `properties.request.headers[0].name`.
 */
export function zodDetails(error: z.ZodError, prefix: string): ArmErrorDetail[] {
  const details = new Map<string, ArmErrorDetail>();
  for (const issue of error.issues) {
    const target = targetOf(prefix, issue.path);
    if (!details.has(target)) details.set(target, { code: 'ValidationError', target, message: issue.message });
  }
  return [...details.values()];
}

function targetOf(prefix: string, path: readonly PropertyKey[]): string {
  let target = prefix;
  for (const part of path) {
    if (typeof part === 'number') target += `[${part}]`;
    else target += target === '' ? String(part) : `.${String(part)}`;
  }
  return target;
}

/** PATCH semantics: a property absent from the body leaves the record's value alone (null still clears it). */
export function definedOnly<T extends object>(props: T): Partial<T> {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as Partial<T>;
}
