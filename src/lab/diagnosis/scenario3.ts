import type { CatalogIndex } from '../../catalog/catalogIndex';
import { etagOf } from '../../management/etag';
import { ADMIN_USER } from '../instance/common';
import { ECHO_API_ID } from '../instance/echoApi';
import { titleOf } from './common';
import type { Fix, LabFinding, LabState, ScenarioState } from './types';

export type { LabFinding, LabState };

/** The product the "Add Echo API to ..." fix links the API to. */
export const FIX_PRODUCT_ID = 'starter';

const WHEN_FIXED = "Fixed. Every operation of the Echo API now gets the administrator's key: pick one and Send for a 200.";

/**
 * Reads the catalog the way the scenario-3 article reasons: is the API in a product
 * the administrator is subscribed to (else the test console sends no key: 401
 * missing), and does any operation hard-code a subscription key header (else the
 * console sends that value: 401 invalid)?
 */
export function diagnoseLab(index: CatalogIndex): LabState {
  const api = index.getApi(ECHO_API_ID);
  if (!api) {
    return {
      status: 'missing',
      findings: [{ code: 'apiMissing', message: `The Echo API (${ECHO_API_ID}) does not exist: run npm run lab:reset.` }],
      usableProducts: [],
    };
  }
  const findings: LabFinding[] = [];
  const products = index.productsOfApi(api.id);
  const adminSubscriptions = index.listSubscriptions().filter((s) => s.ownerId === ADMIN_USER);
  const active = adminSubscriptions.filter((s) => s.state === 'active');
  const usableProducts = products.filter((p) => active.some((s) => s.scope === `/products/${p.id}`)).map((p) => p.id);
  if (products.length === 0) {
    findings.push({
      code: 'apiInNoProduct',
      message: 'The Echo API is in no product, so the test console has no subscription key to send: 401 "missing subscription key".',
      fix: {
        label: 'Add Echo API to Starter',
        done: `Added the Echo API to the product ${FIX_PRODUCT_ID}.`,
        requests: [{ method: 'PUT', path: `/products/${FIX_PRODUCT_ID}/apis/${ECHO_API_ID}` }],
      },
    });
  } else if (usableProducts.length === 0) {
    const inactive = adminSubscriptions.find((s) => products.some((p) => s.scope === `/products/${p.id}`));
    findings.push({
      code: 'noActiveAdminSubscription',
      message: `The Echo API is in ${products.map((p) => p.id).join(', ')}, but the administrator has no active subscription to any of them: 401.`,
      ...(inactive ? { fix: activate(index, inactive.id) } : {}),
    });
  }
  const keyHeader = api.subscriptionKeyParameterNames.header.toLowerCase();
  for (const operation of index.operationsOf(api.id)) {
    const header = operation.request.headers.find((h) => h.name.toLowerCase() === keyHeader);
    if (header && (header.defaultValue || header.values?.length)) {
      const path = `/apis/${ECHO_API_ID}/operations/${encodeURIComponent(operation.id)}`;
      findings.push({
        code: 'hardCodedKeyHeader',
        operationId: operation.id,
        message: `Operation ${operation.id} defines an ${api.subscriptionKeyParameterNames.header} header with a fixed value; the test console sends it instead of the subscription's key: 401 "invalid subscription key".`,
        fix: {
          label: `Remove the hard-coded header from ${operation.displayName}`,
          done: `Removed the hard-coded ${api.subscriptionKeyParameterNames.header} header from ${operation.displayName}.`,
          requests: [
            {
              method: 'PATCH',
              path,
              body: { properties: { request: { headers: operation.request.headers.filter((h) => h !== header) } } },
              ifMatch: etagOf(index, { kind: 'operation', apiId: api.id, id: operation.id }) ?? '*',
            },
          ],
        },
      });
    }
  }
  const faults = new Set(findings.map((f) => (f.code === 'hardCodedKeyHeader' ? 'header' : 'product')));
  const status = faults.size === 0 ? 'fixed' : faults.size === 2 ? 'broken' : 'partly fixed';
  return { status, findings, usableProducts };
}

function activate(index: CatalogIndex, subscriptionId: string): Fix {
  return {
    label: `Activate the administrator's subscription ${subscriptionId}`,
    done: `The subscription ${subscriptionId} is active again.`,
    requests: [
      {
        method: 'PATCH',
        path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
        body: { properties: { state: 'active' } },
        ifMatch: etagOf(index, { kind: 'subscription', id: subscriptionId }) ?? '*',
      },
    ],
  };
}

/** Scenario 3 among the others: the same findings, with the scenario's title. */
export function scenario3State(state: LabState): ScenarioState {
  return { number: 3, title: titleOf(3), status: state.status, findings: state.findings, whenFixed: WHEN_FIXED };
}
