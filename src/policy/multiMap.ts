/**
 * Names with several values each, compared without case (APIM's header and query
 * dictionaries), keeping the order and the spelling they were first written in.
 */
export class MultiMap {
  private readonly entries_ = new Map<string, { name: string; values: string[] }>();

  constructor(pairs?: Iterable<readonly [string, string]>) {
    if (pairs) for (const [name, value] of pairs) this.append(name, value);
  }

  get(name: string): readonly string[] | undefined {
    return this.entries_.get(name.toLowerCase())?.values;
  }

  first(name: string): string | undefined {
    return this.entries_.get(name.toLowerCase())?.values[0];
  }

  has(name: string): boolean {
    return this.entries_.has(name.toLowerCase());
  }

  /** Replaces every value of `name`. */
  set(name: string, values: readonly string[]): void {
    this.entries_.set(name.toLowerCase(), { name, values: [...values] });
  }

  append(name: string, value: string): void {
    const entry = this.entries_.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else this.entries_.set(name.toLowerCase(), { name, values: [value] });
  }

  delete(name: string): void {
    this.entries_.delete(name.toLowerCase());
  }

  /** The names, as first written. */
  get names(): string[] {
    return [...this.entries_.values()].map((entry) => entry.name);
  }

  get size(): number {
    return this.entries_.size;
  }

  /** Every (name, value) pair, repeated names once per value. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const { name, values } of this.entries_.values()) for (const value of values) yield [name, value];
  }

  toList(): [string, string][] {
    const list: [string, string][] = [];
    for (const { name, values } of this.entries_.values()) for (const value of values) list.push([name, value]);
    return list;
  }

  /**
   * What `new MultiMap(pairs).toList()` gives, without building the map: `pairs`
   * itself when no name repeats (the usual header list), else the pairs grouped by name.
   */
  static listOf(pairs: ReadonlyArray<readonly [string, string]>): ReadonlyArray<readonly [string, string]> {
    for (let i = 1; i < pairs.length; i++) {
      const name = pairs[i]![0];
      for (let j = 0; j < i; j++) {
        const other = pairs[j]![0];
        if (other.length === name.length && (other === name || other.toLowerCase() === name.toLowerCase())) return new MultiMap(pairs).toList();
      }
    }
    return pairs;
  }
}
