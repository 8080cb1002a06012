import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONTEXT_TYPE } from '../../../src/policy/expressions/contextShape';
import type { ExprType } from '../../../src/policy/expressions/types';

/** Interfaces of context.ts and their property names, read from the source. */
function contextInterfaces(): Map<string, string[]> {
  const path = join(__dirname, '../../../src/policy/context.ts');
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const interfaces = new Map<string, string[]>();
  file.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) {
      interfaces.set(node.name.text, node.members.filter(ts.isPropertySignature).map((m) => m.name.getText(file)));
    }
  });
  return interfaces;
}

/** Every shape reachable from `context`, by its APIM name. */
function shapes(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (type: ExprType) => {
    if (type.kind !== 'shape' || found.has(type.shape.name)) return;
    found.set(type.shape.name, [...type.shape.members.keys()]);
    type.shape.members.forEach(visit);
  };
  visit(CONTEXT_TYPE);
  return found;
}

/** context.ts interface -> the APIM interface name the description gives it. */
const DESCRIBED: Record<string, string> = {
  ExpressionContext: 'IContext',
  RequestView: 'IRequest',
  UrlView: 'IUrl',
  ResponseView: 'IResponse',
  ApiView: 'IApi',
  OperationView: 'IOperation',
  ProductView: 'IProduct',
  SubscriptionView: 'ISubscription',
  DeploymentView: 'IDeployment',
  LastErrorView: 'ILastError',
};
/** Described by kind, not by members: the message body and the dictionaries. */
const SPECIAL = new Set(['BodyView', 'ReadOnlyDictionary', 'SourcePosition']);

describe('the description of context follows src/policy/context.ts', () => {
  const interfaces = contextInterfaces();
  const described = shapes();

  it('describes every interface of context.ts', () => {
    const undescribed = [...interfaces.keys()].filter((name) => !(name in DESCRIBED) && !SPECIAL.has(name));
    expect(undescribed).toStrictEqual([]);
  });

  it.each(Object.entries(DESCRIBED))('%s has exactly the members of %s', (view, apimName) => {
    expect(interfaces.has(view)).toBe(true);
    expect([...(described.get(apimName) ?? [])].sort()).toStrictEqual([...interfaces.get(view)!].sort());
  });
});
