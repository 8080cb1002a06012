/**
 * APIM's two text forms of a policy document. `xml` is plain XML: expressions in
 * attribute values and text are XML-escaped. `rawxml` is what people write and keep
 * in git: the inside of `@(...)` and `@{...}` is left as C# (`<`, `&&`, `"` unescaped),
 * which no XML parser accepts. These functions turn one into the other; only the
 * expressions change, everything else is copied as it is.
 */

/** Where an expression may start: at the beginning of an attribute value, or of a text run (after blanks). */
const startsExpression = (text: string, at: number) =>
  text.charCodeAt(at) === 0x40 /* @ */ && (text[at + 1] === '(' || text[at + 1] === '{');

const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

const CLOSERS: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

/**
 * The index of the bracket that closes the expression starting at `start` (an `@`),
 * with C# string and character literals and comments skipped; -1 when it never closes.
 */
export function expressionEnd(text: string, start: number): number {
  const open: string[] = [];
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '(' || c === '{' || c === '[') {
      open.push(CLOSERS[c]!);
    } else if (c === ')' || c === '}' || c === ']') {
      if (open.pop() !== c) return -1;
      if (open.length === 0) return i;
    } else if (c === '"' || c === "'") {
      const verbatim = c === '"' && text[i - 1] === '@';
      i = literalEnd(text, i, c, verbatim);
      if (i < 0) return -1;
    } else if (c === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return -1;
      i = eol;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return -1;
      i = close + 1;
    }
    i += 1;
  }
  return -1;
}

/** The index of the quote closing the literal opened at `start`; -1 if none. */
function literalEnd(text: string, start: number, quote: string, verbatim: boolean): number {
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text[i];
    if (verbatim) {
      if (c === '"') {
        if (text[i + 1] === '"') i += 1;
        else return i;
      }
    } else if (c === '\\') {
      i += 1;
    } else if (c === quote) {
      return i;
    }
  }
  return -1;
}

/** A region of the document where an expression may start. */
type Region = { kind: 'attribute'; quote: string } | { kind: 'text' };

/** Emits the value or text run starting at `from`; returns where the walk resumes. */
type ValueHandler = (from: number, region: Region, out: Output) => number;

/**
 * Walks the markup of a document and hands every attribute value and text run to
 * `onValue`, which returns the text to emit and where to resume. Comments, CDATA,
 * processing instructions and declarations are copied untouched. Malformed input is
 * copied as far as it goes; the XML parser reports it afterwards.
 */
function transform(text: string, out: Output, onValue: ValueHandler): void {
  let i = 0;
  const copyThrough = (terminator: string, from: number) => {
    const end = text.indexOf(terminator, from);
    const stop = end < 0 ? text.length : end + terminator.length;
    out.copy(i, stop);
    i = stop;
  };
  while (i < text.length) {
    if (text[i] !== '<') {
      i = onValue(i, { kind: 'text' }, out);
      continue;
    }
    if (text.startsWith('<!--', i)) copyThrough('-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) copyThrough(']]>', i + 9);
    else if (text.startsWith('<?', i)) copyThrough('?>', i + 2);
    else if (text.startsWith('<!', i)) copyThrough('>', i + 2);
    else i = tag(text, i, out, onValue);
  }
}

/** Copies one start or end tag, handing its attribute values to `onValue`. */
function tag(text: string, start: number, out: Output, onValue: ValueHandler): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '>') {
      out.copy(start, i + 1);
      return i + 1;
    }
    if (c === '"' || c === "'") {
      out.copy(start, i + 1);
      const close = onValue(i + 1, { kind: 'attribute', quote: c }, out);
      start = close;
      i = close;
      continue;
    }
    if (c === '<') break;
    i += 1;
  }
  out.copy(start, i);
  return i;
}

/** Collects the output text, and where each piece came from in the input. */
class Output {
  readonly parts: string[] = [];
  length = 0;
  /** Output offset -> input offset breakpoints; `fixed` maps a whole escape to one input character. */
  readonly marks: { out: number; source: number; fixed: boolean }[] = [{ out: 0, source: 0, fixed: false }];

  constructor(private readonly input: string) {}

  copy(from: number, to: number): void {
    if (to <= from) return;
    this.mark(from, false);
    this.push(this.input.slice(from, to));
  }

  /** Emits `replacement` for the input character at `at`. */
  replace(at: number, replacement: string): void {
    this.mark(at, true);
    this.push(replacement);
    this.mark(at + 1, false);
  }

  private mark(source: number, fixed: boolean): void {
    const last = this.marks[this.marks.length - 1]!;
    const continues = !last.fixed && !fixed && last.source + (this.length - last.out) === source;
    if (!continues) this.marks.push({ out: this.length, source, fixed });
  }

  /** Emits text that has no single source offset (decoded output is never mapped back). */
  emit(text: string): void {
    this.push(text);
  }

  private push(text: string): void {
    this.parts.push(text);
    this.length += text.length;
  }

  text(): string {
    return this.parts.join('');
  }

  toSourceOffset(offset: number): number {
    const { marks } = this;
    let low = 0;
    let high = marks.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (marks[mid]!.out <= offset) low = mid;
      else high = mid - 1;
    }
    const mark = marks[low]!;
    return mark.fixed ? mark.source : mark.source + (offset - mark.out);
  }
}

function run(text: string, onValue: ValueHandler): Output {
  const out = new Output(text);
  transform(text, out, onValue);
  return out;
}

/** Where the value or text run starting at `from` ends (its closing quote, or the next `<`). */
function regionEnd(text: string, from: number, region: Region): number {
  const end = text.indexOf(region.kind === 'attribute' ? region.quote : '<', from);
  return end < 0 ? text.length : end;
}

function firstNonBlank(text: string, from: number, region: Region): number {
  let i = from;
  if (region.kind === 'text') while (isBlank(text[i])) i += 1;
  return i;
}

/** A rawxml document made well-formed XML, with a map from its offsets back to the rawxml text. */
export interface EscapedRawxml {
  readonly xml: string;
  readonly toSourceOffset: (xmlOffset: number) => number;
}

export function escapeRawxml(raw: string): EscapedRawxml {
  const out = run(raw, (from, region, o) => {
    const start = firstNonBlank(raw, from, region);
    if (startsExpression(raw, start)) {
      const end = expressionEnd(raw, start);
      if (end >= 0) {
        o.copy(from, start);
        for (let i = start; i <= end; i += 1) {
          const entity = escapeFor(raw[i]!, region);
          if (entity === undefined) o.copy(i, i + 1);
          else o.replace(i, entity);
        }
        from = end + 1;
      }
    }
    const stop = regionEnd(raw, from, region);
    o.copy(from, region.kind === 'attribute' ? Math.min(stop + 1, raw.length) : stop);
    return region.kind === 'attribute' ? Math.min(stop + 1, raw.length) : stop;
  });
  return { xml: out.text(), toSourceOffset: (offset) => out.toSourceOffset(offset) };
}

function escapeFor(c: string, region: Region): string | undefined {
  if (c === '&') return '&amp;';
  if (c === '<') return '&lt;';
  if (c === '>') return '&gt;';
  if (region.kind === 'attribute' && c === region.quote) return c === '"' ? '&quot;' : '&apos;';
  return undefined;
}

/** `rawxml` -> `xml`: escapes what sits inside each expression. */
export function rawxmlToXml(raw: string): string {
  return escapeRawxml(raw).xml;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** One decoded character (or surrogate pair) and how many input characters it took. */
function decodeAt(text: string, i: number, end: number): { value: string; length: number } {
  if (text[i] === '&') {
    const semi = text.indexOf(';', i);
    if (semi > i && semi < end && semi - i <= 10) {
      const name = text.slice(i + 1, semi);
      const named = NAMED[name];
      if (named !== undefined) return { value: named, length: semi - i + 1 };
      const code = name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : name.startsWith('#') ? Number(name.slice(1)) : NaN;
      if (Number.isInteger(code) && code >= 0 && code <= 0x10ffff && /^#(x[0-9a-fA-F]+|[0-9]+)$/.test(name)) {
        return { value: String.fromCodePoint(code), length: semi - i + 1 };
      }
    }
  }
  return { value: text[i]!, length: 1 };
}

/** `xml` -> `rawxml`: unescapes what sits inside each expression, so it reads as C# again. */
export function xmlToRawxml(xml: string): string {
  const out = run(xml, (from, region, o) => {
    const start = firstNonBlank(xml, from, region);
    const stop = regionEnd(xml, from, region);
    if (startsExpression(xml, start)) {
      // Decode the run, find the expression's end in the decoded text, and emit it decoded.
      let decoded = '';
      const rawIndex: number[] = [];
      for (let i = start; i < stop; ) {
        const { value, length } = decodeAt(xml, i, stop);
        for (let k = 0; k < value.length; k += 1) rawIndex.push(i);
        decoded += value;
        i += length;
      }
      rawIndex.push(stop);
      const end = expressionEnd(decoded, 0);
      if (end >= 0 && survivesRaw(decoded.slice(0, end + 1))) {
        o.copy(from, start);
        o.emit(decoded.slice(0, end + 1));
        from = rawIndex[end + 1]!;
      }
    }
    const next = region.kind === 'attribute' ? Math.min(stop + 1, xml.length) : stop;
    o.copy(from, next);
    return next;
  });
  return out.text();
}

/** Characters XML cannot carry unescaped (or would normalise) stay escaped. */
const survivesRaw = (expression: string) => !/[\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f]/.test(expression);
