'use strict';

/**
 * The header surface the gateway reads (`HeaderBag`: `get`, iteration), as a view
 * over Node's request headers, so no `Headers` object is built per request.
 * Iteration yields Node's parsed, lower-cased headers; repeated headers read as
 * Node joins them (`a, b`).
 */
class IncomingHeaders {
  /** `req`: Node's request; its `headers` object is only built when a lookup needs it. */
  constructor(req) {
    this.req = req;
  }
  get headers() {
    return this.req.headers;
  }
  /**
   * A header seen once is read straight from `rawHeaders` (no `headers` object is
   * built for the request); a repeated one as Node joins it in `headers`.
   */
  get(name) {
    const raw = this.req.rawHeaders;
    let lower;
    let found = null;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i];
      if (n.length !== name.length) continue;
      if (n !== name && n.toLowerCase() !== (lower ??= name.toLowerCase())) continue;
      if (found !== null) return parsedValue(this.req.headers, lower ?? name.toLowerCase());
      found = raw[i + 1];
    }
    return found;
  }
  has(name) {
    return this.get(name) !== null;
  }
  [Symbol.iterator]() {
    return new EntryIterator(this.req.headers);
  }
  entries() {
    return this[Symbol.iterator]();
  }
  forEach(fn, thisArg) {
    for (const [name, value] of this) fn.call(thisArg, value, name, this);
  }
}

/** A value of Node's parsed headers as a string; only own string / list values count. */
function parsedValue(headers, lowerName) {
  const value = headers[lowerName];
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? value.join(', ') : null;
}

/** `[name, value]` pairs in Node's order; a plain iterator, no generator object. */
class EntryIterator {
  constructor(headers) {
    this.headers = headers;
    this.names = Object.keys(headers);
    this.at = 0;
  }
  next() {
    const names = this.names;
    while (this.at < names.length) {
      const name = names[this.at++];
      const value = this.headers[name];
      if (value === undefined) continue;
      return { done: false, value: [name, typeof value === 'string' ? value : value.join(', ')] };
    }
    return { done: true, value: undefined };
  }
  [Symbol.iterator]() {
    return this;
  }
}

module.exports = { IncomingHeaders };
