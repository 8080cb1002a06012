/**
 * Validation of an element's attributes and children, with refusals that point
 * at the attribute or child at fault.
 */
import { PolicyError } from '../context';
import type { XmlAttribute, XmlElement, XmlText } from '../parse';

export class Attributes {
  private readonly byName = new Map<string, XmlAttribute>();

  /** Refuses any attribute not in `allowed`. */
  constructor(
    private readonly element: XmlElement,
    allowed: readonly string[],
  ) {
    for (const attribute of element.attributes) {
      if (!allowed.includes(attribute.name)) {
        const hint = allowed.length === 0 ? 'it takes no attributes' : `allowed: ${allowed.join(', ')}`;
        throw new PolicyError(`The attribute '${attribute.name}' is not allowed on '${element.name}' (${hint}).`, element.name, attribute.position);
      }
      this.byName.set(attribute.name, attribute);
    }
  }

  get(name: string): XmlAttribute | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  required(name: string): XmlAttribute {
    const attribute = this.byName.get(name);
    if (attribute === undefined) throw this.error(`The attribute '${name}' is required.`);
    if (attribute.value.trim() === '') throw this.error(`The attribute '${name}' must not be empty.`, attribute);
    return attribute;
  }

  string(name: string): string | undefined {
    const attribute = this.byName.get(name);
    if (attribute !== undefined && attribute.value.trim() === '') throw this.error(`The attribute '${name}' must not be empty.`, attribute);
    return attribute?.value;
  }

  integer(name: string, range: { min: number; max?: number }, fallback?: number): number {
    const attribute = this.byName.get(name);
    if (attribute === undefined) {
      if (fallback === undefined) throw this.error(`The attribute '${name}' is required.`);
      return fallback;
    }
    const text = attribute.value.trim();
    const value = /^[0-9]{1,15}$/.test(text) ? Number(text) : NaN;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(value) || value < range.min || value > max) {
      const bounds = range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
      throw this.error(`The attribute '${name}' must be a whole number ${bounds}; got '${attribute.value}'.`, attribute);
    }
    return value;
  }

  boolean(name: string, fallback?: boolean): boolean {
    const attribute = this.byName.get(name);
    if (attribute === undefined) {
      if (fallback === undefined) throw this.error(`The attribute '${name}' is required.`);
      return fallback;
    }
    const text = attribute.value.trim().toLowerCase();
    if (text !== 'true' && text !== 'false') {
      throw this.error(`The attribute '${name}' must be 'true' or 'false'; got '${attribute.value}'.`, attribute);
    }
    return text === 'true';
  }

  choice<T extends string>(name: string, values: readonly T[], fallback?: T): T {
    const attribute = this.byName.get(name);
    if (attribute === undefined) {
      if (fallback === undefined) throw this.error(`The attribute '${name}' is required.`);
      return fallback;
    }
    const value = values.find((v) => v === attribute.value.trim().toLowerCase());
    if (value === undefined) {
      throw this.error(`The attribute '${name}' must be one of ${values.map((v) => `'${v}'`).join(', ')}; got '${attribute.value}'.`, attribute);
    }
    return value;
  }

  error(message: string, attribute?: XmlAttribute): PolicyError {
    return new PolicyError(message, this.element.name, attribute?.position ?? this.element.position);
  }
}

/** The child elements, refusing any name not in `allowed` (unless 'any') and any non-blank text. */
export function childElements(element: XmlElement, allowed: readonly string[] | 'any'): XmlElement[] {
  const children: XmlElement[] = [];
  for (const child of element.children) {
    if (child.kind === 'text') {
      if (child.text.trim() !== '') throw new PolicyError(`'${element.name}' takes no text.`, element.name, child.position);
      continue;
    }
    if (allowed !== 'any' && !allowed.includes(child.name)) {
      const hint = allowed.length === 0 ? 'it takes no child elements' : `allowed: ${allowed.join(', ')}`;
      throw new PolicyError(`The element '${child.name}' is not allowed in '${element.name}' (${hint}).`, child.name, child.position);
    }
    children.push(child);
  }
  return children;
}

/** The element's text (CDATA included); refuses child elements. */
export function textContent(element: XmlElement): { text: string; position: XmlText['position'] } {
  let text = '';
  let position = element.position;
  let first = true;
  for (const child of element.children) {
    if (child.kind === 'element') {
      throw new PolicyError(`The element '${child.name}' is not allowed in '${element.name}' (it takes text only).`, child.name, child.position);
    }
    if (first) position = child.position;
    first = false;
    text += child.text;
  }
  return { text, position };
}

/** Refuses more than one child of the same name. */
export function atMostOne(children: readonly XmlElement[], name: string): XmlElement | undefined {
  const found = children.filter((child) => child.name === name);
  if (found.length > 1) throw new PolicyError(`'${name}' may appear only once here.`, name, found[1]!.position);
  return found[0];
}
