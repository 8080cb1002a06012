import type { RepresentationBody } from './body';
import type { ApiResource, HeaderRow, KeyChoice, LabStateView, OperationResource, ShownResponse } from './types';

/** Everything the page knows, in one place; the views render from it. */
export interface ConsoleState {
  apis: ApiResource[];
  api: ApiResource | null;
  operations: OperationResource[];
  operation: OperationResource | null;
  key: KeyChoice | null;
  rows: HeaderRow[];
  templateValues: Record<string, string>;
  /** The picked operation's request bodies (its representations' examples), and which one is in the form. */
  bodies: RepresentationBody[];
  body: number;
  queryValues: Record<string, string>;
  reveal: boolean;
  lastResponse: ShownResponse | null;
  /** How many responses were shown so far. */
  responses: number;
  lab: LabStateView | null;
  /** Bumped by each operation pick: a slower, older pick does not overwrite a newer one. */
  selectSeq: number;
  /** Debug tokens by API name; `until` in ms. */
  debugTokens: Record<string, { token: string; until: number }>;
  /** Bumped by each effective-policy calculation: an older answer does not overwrite a newer one. */
  policySeq: number;
}

export function createState(): ConsoleState {
  return {
    apis: [],
    api: null,
    operations: [],
    operation: null,
    key: null,
    rows: [],
    templateValues: {},
    bodies: [],
    body: 0,
    queryValues: {},
    reveal: false,
    lastResponse: null,
    responses: 0,
    lab: null,
    selectSeq: 0,
    debugTokens: {},
    policySeq: 0,
  };
}
