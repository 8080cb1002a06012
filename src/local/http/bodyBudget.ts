/**
 * The request body bytes the host holds at once, all requests together. A body
 * is counted from its announced `Content-Length` before a byte of it is read,
 * and released once its response is written, so a flood of large uploads costs
 * at most `capacity` bytes of memory instead of the sum of their sizes.
 */
export class BodyBudget {
  private held = 0;

  constructor(private readonly capacity: number) {}

  /** Bytes held now. */
  get inFlight(): number {
    return this.held;
  }

  /** Holds `bytes` and returns their release (idempotent), or undefined when they do not fit. */
  reserve(bytes: number): (() => void) | undefined {
    if (bytes <= 0) return () => undefined;
    if (this.held + bytes > this.capacity) return undefined;
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
    };
  }
}
