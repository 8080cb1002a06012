/**
 * An operation's request representations as the management API holds them
 * (free-form JSON): the content type and the example body the test console sends.
 * APIM API version 2022-08-01 and later write `examples.default.value`; older
 * definitions a `sample` string. Plain data, no Node dependency: the console's
 * browser script uses it too.
 */

export interface RepresentationBody {
  /** The representation's content type; '' when it names none. */
  readonly contentType: string;
  /** The example body as text ('' when none); an example that is not a string is JSON, indented. */
  readonly example: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The content type and example body of one representation. */
export function representationBody(representation: unknown): RepresentationBody {
  if (!isObject(representation)) return { contentType: '', example: '' };
  const contentType = typeof representation.contentType === 'string' ? representation.contentType : '';
  const examples = representation.examples;
  const example = isObject(examples) && isObject(examples.default) ? examples.default.value : undefined;
  if (example !== undefined && example !== null) return { contentType, example: typeof example === 'string' ? example : JSON.stringify(example, null, 2) };
  return { contentType, example: typeof representation.sample === 'string' ? representation.sample : '' };
}

/** The representation with another example body, written where it had its example (`sample` stays `sample`). */
export function withExample(representation: unknown, example: string): Record<string, unknown> {
  const base = isObject(representation) ? representation : {};
  if (typeof base.sample === 'string' && !isObject(base.examples)) return { ...base, sample: example };
  const examples = isObject(base.examples) ? base.examples : {};
  const first = isObject(examples.default) ? examples.default : {};
  return { ...base, examples: { ...examples, default: { ...first, value: example } } };
}
