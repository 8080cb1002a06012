/**
 * The text of one expression and where it sits in its document: every refusal
 * names the exact line and column of the fault, even in text spanning lines.
 */

import { PolicyError, type SourcePosition } from '../context';

export class ExpressionSource {
  /** Offsets at which a line begins after a line break (`\n`, `\r\n` or a lone `\r`). */
  private readonly lineStarts: number[] = [];

  constructor(
    readonly text: string,
    readonly element: string,
    readonly start: SourcePosition,
  ) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.lineStarts.push(i + 1);
    }
  }

  /** The document position of `offset` (a UTF-16 index into the text). */
  positionOf(offset: number): SourcePosition {
    let line = 0;
    while (line < this.lineStarts.length && this.lineStarts[line]! <= offset) line++;
    if (line === 0) return { line: this.start.line, column: this.start.column + offset };
    return { line: this.start.line + line, column: offset - this.lineStarts[line - 1]! + 1 };
  }

  /** A write-time refusal at `offset`. */
  error(message: string, offset: number): PolicyError {
    return new PolicyError(message, this.element, this.positionOf(offset));
  }
}

/** `'foreach' is not supported ...`: the one wording for every construct this gateway refuses. */
export const unsupported = (construct: string) =>
  `${construct} is not supported in policy expressions by this gateway`;
