/**
 * The compiler: turns a checked tree into nested closures over the context. All
 * decisions (which member, which operator semantics) were taken by the checker;
 * a call runs only the closures, with no lookups by name beyond the declared
 * property reads.
 */

import type { ExpressionContext } from '../context';
import type { Bound, BoundStatement, BoundTree, Link } from './check';
import { ExpressionError, argumentNull, nullReference } from './values';

type Run = (context: ExpressionContext, locals: unknown[]) => unknown;

/** A `?.` met null: the rest of its chain is skipped. */
const SKIPPED = Symbol('skipped');
/** A statement finished without `return`. */
const NO_RETURN = Symbol('no return');
const NO_LOCALS: unknown[] = Object.freeze([]) as unknown as unknown[];

export function compileTree(tree: BoundTree): (context: ExpressionContext) => unknown {
  if (tree.kind === 'expression') {
    const run = compile(tree.body);
    return (context) => {
      const value = run(context, NO_LOCALS);
      return value === undefined ? null : value;
    };
  }
  const run = compileStatement(tree.body);
  const count = tree.locals;
  return (context) => {
    const value = run(context, count === 0 ? NO_LOCALS : new Array<unknown>(count));
    return value === undefined || value === NO_RETURN ? null : value;
  };
}

const isNull = (value: unknown) => value === null || value === undefined;

/** Reads through a non-null target; a null target throws NullReferenceException, or skips the chain after `?.`. */
function access(target: Run, link: Link, get: (target: unknown, context: ExpressionContext, locals: unknown[]) => unknown): Run {
  const { conditional, propagates, end } = link;
  if (!conditional && !propagates) {
    return (c, l) => {
      const value = target(c, l);
      if (isNull(value)) throw nullReference();
      return get(value, c, l);
    };
  }
  const skipped = end ? null : SKIPPED;
  return (c, l) => {
    const value = target(c, l);
    if (value === SKIPPED) return skipped;
    if (isNull(value)) {
      if (conditional) return skipped;
      throw nullReference();
    }
    return get(value, c, l);
  };
}

function compile(node: Bound): Run {
  switch (node.op) {
    case 'constant': {
      const value = node.value;
      return () => value;
    }
    case 'context':
      return (c) => c;
    case 'local': {
      const slot = node.slot;
      return (_, l) => l[slot];
    }
    case 'read': {
      const target = compile(node.target);
      // The name is one the checker found in the static description of the context.
      const name = node.name;
      return access(target, node.link, (value) => (value as Record<string, unknown>)[name]);
    }
    case 'invoke':
      return compileInvoke(node);
    case 'index': {
      const target = compile(node.target);
      const index = compile(node.index);
      if (node.of === 'dictionary') {
        return access(target, node.link, (dictionary, c, l) => {
          const key = index(c, l);
          if (isNull(key)) throw argumentNull('key');
          const found = (dictionary as { get(key: string): unknown }).get(key as string);
          if (found === undefined) {
            throw new ExpressionError(`The given key '${key as string}' was not present in the dictionary.`, 'KeyNotFoundException');
          }
          return found;
        });
      }
      return access(target, node.link, (indexed, c, l) => {
        const i = index(c, l) as number;
        const items = indexed as ArrayLike<unknown>;
        if (!(i >= 0 && i < items.length)) {
          throw new ExpressionError('Index was outside the bounds of the array.', 'IndexOutOfRangeException');
        }
        return items[i];
      });
    }
    case 'and': {
      const left = compile(node.left);
      const right = compile(node.right);
      return (c, l) => left(c, l) === true && right(c, l) === true;
    }
    case 'or': {
      const left = compile(node.left);
      const right = compile(node.right);
      return (c, l) => left(c, l) === true || right(c, l) === true;
    }
    case 'coalesce': {
      const left = compile(node.left);
      const right = compile(node.right);
      return (c, l) => {
        const value = left(c, l);
        return isNull(value) ? right(c, l) : value;
      };
    }
    case 'binary': {
      const left = compile(node.left);
      const right = compile(node.right);
      const fn = node.fn;
      return (c, l) => fn(left(c, l), right(c, l));
    }
    case 'unary': {
      const operand = compile(node.operand);
      const fn = node.fn;
      return (c, l) => fn(operand(c, l));
    }
    case 'conditional': {
      const test = compile(node.test);
      const whenTrue = compile(node.whenTrue);
      const whenFalse = compile(node.whenFalse);
      return (c, l) => (test(c, l) === true ? whenTrue(c, l) : whenFalse(c, l));
    }
  }
}

function compileInvoke(node: Bound & { op: 'invoke' }): Run {
  const member = node.member;
  const args = node.args.map(compile);
  let call: (receiver: unknown, c: ExpressionContext, l: unknown[]) => unknown;
  if (member.packed) {
    call = (receiver, c, l) => member.invoke(receiver, args.map((a) => a(c, l)));
  } else {
    const [a, b, d] = args;
    switch (args.length) {
      case 0:
        call = (receiver) => member.invoke(receiver);
        break;
      case 1:
        call = (receiver, c, l) => member.invoke(receiver, a!(c, l));
        break;
      case 2:
        call = (receiver, c, l) => member.invoke(receiver, a!(c, l), b!(c, l));
        break;
      default:
        call = (receiver, c, l) => member.invoke(receiver, a!(c, l), b!(c, l), d!(c, l));
    }
  }
  if (node.target === null) return (c, l) => call(undefined, c, l);
  return access(compile(node.target), node.link, call);
}

function compileStatement(statement: BoundStatement): Run {
  switch (statement.op) {
    case 'store': {
      const value = compile(statement.value);
      const slot = statement.slot;
      return (c, l) => {
        l[slot] = value(c, l);
        return NO_RETURN;
      };
    }
    case 'return':
      return compile(statement.value);
    case 'if': {
      const test = compile(statement.test);
      const then = compileStatement(statement.then);
      const otherwise = statement.otherwise === null ? () => NO_RETURN : compileStatement(statement.otherwise);
      return (c, l) => (test(c, l) === true ? then(c, l) : otherwise(c, l));
    }
    case 'block': {
      const body = statement.body.map(compileStatement);
      return (c, l) => {
        for (const run of body) {
          const result = run(c, l);
          if (result !== NO_RETURN) return result;
        }
        return NO_RETURN;
      };
    }
  }
}
