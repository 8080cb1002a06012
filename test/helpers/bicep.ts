import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

/**
 * Reading Bicep without the Bicep compiler (it cannot be downloaded here): the Bicep
 * grammar of tree-sitter (WASM, shipped in node_modules) parses a file, and the queries
 * below walk its syntax tree. They see syntax only: no types, no resource property names,
 * no API versions.
 */

/** Every `.bicep` file under `dir`, as a path relative to `relativeTo`. */
export function bicepFiles(dir: string, relativeTo: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return bicepFiles(full, relativeTo);
    return entry.name.endsWith('.bicep') ? [path.relative(relativeTo, full)] : [];
  });
}

export async function loadBicepParser(): Promise<Parser> {
  const require = createRequire(__filename);
  await Parser.init();
  const language = await Language.load(readFileSync(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm')));
  const bicepParser = new Parser();
  bicepParser.setLanguage(language);
  return bicepParser;
}

/** `file:line:column: message` for every ERROR or MISSING node (1-based positions). */
export function syntaxErrors(file: string, tree: Tree): string[] {
  const errors: string[] = [];
  const visit = (node: Node) => {
    const where = `${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
    if (node.isMissing) {
      errors.push(`${where}: missing ${JSON.stringify(node.type)}`);
    } else if (node.type === 'ERROR') {
      errors.push(`${where}: unexpected ${JSON.stringify(node.text.split('\n')[0]!.slice(0, 60))}`);
      return; // its children only repeat the same error
    }
    for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  return errors;
}

export function descendants(node: Node, type: string): Node[] {
  const found: Node[] = [];
  const visit = (n: Node) => {
    if (n.type === type) found.push(n);
    for (const child of n.namedChildren) if (child) visit(child);
  };
  visit(node);
  return found;
}

/** The text of a string literal without interpolation, or undefined. */
export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return node.namedChildren.map((c) => c?.text ?? '').join('');
}

export function propertyKey(property: Node): string | undefined {
  const key = property.namedChildren[0];
  if (!key) return undefined;
  return key.type === 'identifier' ? key.text : stringValue(key);
}

/** The value of `key: value` directly inside an object node. */
export function property(object: Node | null | undefined, key: string): Node | undefined {
  if (!object || object.type !== 'object') return undefined;
  for (const child of object.namedChildren) {
    if (child?.type === 'object_property' && propertyKey(child) === key) return child.namedChildren[1] ?? undefined;
  }
  return undefined;
}

/** Follows a path of keys through nested objects. */
export function propertyPath(object: Node | null | undefined, ...keys: string[]): Node | undefined {
  let current: Node | undefined = object ?? undefined;
  for (const key of keys) current = property(current, key);
  return current;
}

export function keysOf(object: Node | undefined): string[] {
  if (!object || object.type !== 'object') return [];
  return object.namedChildren.filter((c) => c?.type === 'object_property').map((c) => propertyKey(c!) ?? '');
}

export interface ResourceDecl {
  symbol: string;
  type: string;
  body: Node;
  node: Node;
}

/** Every resource declaration (nested ones included) with its type string and body object. */
export function resources(tree: Tree): ResourceDecl[] {
  return descendants(tree.rootNode, 'resource_declaration').map((node) => {
    const named = node.namedChildren.filter((c): c is Node => c !== null);
    const typeNode = named.find((c) => c.type === 'string');
    let body = named[named.length - 1]!;
    if (body.type === 'if_statement') body = body.namedChildren.find((c) => c?.type === 'object')!;
    return { symbol: named[0]!.text, type: stringValue(typeNode) ?? '', body, node };
  });
}

export function resourcesOfType(tree: Tree, prefix: string): ResourceDecl[] {
  return resources(tree).filter((r) => r.type.toLowerCase().startsWith(prefix.toLowerCase()));
}

export interface ParamDecl {
  name: string;
  decorators: string[];
  defaultValue?: Node;
}

/** The file's top-level `param` declarations, with their decorator names and default value. */
export function params(tree: Tree): ParamDecl[] {
  return tree.rootNode.namedChildren
    .filter((n): n is Node => n?.type === 'parameter_declaration')
    .map((node) => {
      const named = node.namedChildren.filter((c): c is Node => c !== null);
      const previous = node.previousNamedSibling;
      const decorators =
        previous?.type === 'decorators'
          ? previous.namedChildren.map((d) => d?.namedChildren[0]?.namedChildren[0]?.text ?? '')
          : [];
      const hasDefault = node.children.some((c) => c?.type === '=');
      return { name: named[0]!.text, decorators, defaultValue: hasDefault ? named[named.length - 1] : undefined };
    });
}
