/** The syntax tree of a policy expression; every node keeps its offset in the text. */

export interface TypeRef {
  readonly name: string;
  readonly at: number;
}

export type Expr =
  | { readonly kind: 'literal'; readonly type: 'string' | 'char' | 'int' | 'double' | 'bool' | 'null'; readonly value: string | number | boolean | null; readonly at: number }
  | { readonly kind: 'name'; readonly name: string; readonly at: number }
  | { readonly kind: 'member'; readonly target: Expr; readonly name: string; readonly at: number; readonly conditional: boolean }
  | {
      readonly kind: 'call';
      readonly target: Expr;
      readonly name: string;
      /** Offset of the method name. */
      readonly at: number;
      readonly conditional: boolean;
      readonly typeArgs: readonly TypeRef[];
      readonly args: readonly Argument[];
    }
  | { readonly kind: 'index'; readonly target: Expr; readonly index: Expr; readonly at: number }
  | { readonly kind: 'unary'; readonly op: '!' | '-' | '+'; readonly operand: Expr; readonly at: number }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr; readonly at: number }
  | { readonly kind: 'conditional'; readonly test: Expr; readonly whenTrue: Expr; readonly whenFalse: Expr; readonly at: number }
  | { readonly kind: 'cast'; readonly type: TypeRef; readonly operand: Expr; readonly at: number };

export interface Argument {
  /** `preserveContent: true` has a name; most arguments do not. */
  readonly name?: string;
  readonly value: Expr;
  readonly at: number;
}

export type Statement =
  | { readonly kind: 'declare'; readonly type: TypeRef | null; readonly name: string; readonly init: Expr | null; readonly at: number }
  | { readonly kind: 'assign'; readonly name: string; readonly value: Expr; readonly at: number }
  | { readonly kind: 'if'; readonly test: Expr; readonly then: Statement; readonly otherwise: Statement | null; readonly at: number }
  | { readonly kind: 'block'; readonly body: readonly Statement[]; readonly at: number }
  | { readonly kind: 'return'; readonly value: Expr; readonly at: number };

/** `@( expr )` or `@{ statements }`. */
export type ExpressionTree =
  | { readonly kind: 'expression'; readonly body: Expr }
  | { readonly kind: 'statements'; readonly body: Statement & { kind: 'block' } };
