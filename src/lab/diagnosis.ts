import type { CatalogIndex } from '../catalog/catalogIndex';
import { ADMIN_USER, ECHO_API_ID } from './seed';

/** One thing standing between the administrator and a 200 from the Echo API. */
export interface LabFinding {
  code: 'apiMissing' | 'apiInNoProduct' | 'noActiveAdminSubscription' | 'hardCodedKeyHeader';
  /** What a learner sees, and why. */
  message: string;
  /** The operation concerned, for `hardCodedKeyHeader`. */
  operationId?: string;
}

export interface LabState {
  /** `broken`: both faults of scenario 3; `partly fixed`: one left; `fixed`: none. */
  status: 'broken' | 'partly fixed' | 'fixed' | 'missing';
  findings: LabFinding[];
  /** Products that contain the Echo API and that the administrator has an active subscription to. */
  usableProducts: string[];
}

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
  const adminSubscriptions = index.listSubscriptions().filter((s) => s.ownerId === ADMIN_USER && s.state === 'active');
  const usableProducts = products
    .filter((p) => adminSubscriptions.some((s) => s.scope === `/products/${p.id}`))
    .map((p) => p.id);
  if (products.length === 0) {
    findings.push({
      code: 'apiInNoProduct',
      message: 'The Echo API is in no product, so the test console has no subscription key to send: 401 "missing subscription key".',
    });
  } else if (usableProducts.length === 0) {
    findings.push({
      code: 'noActiveAdminSubscription',
      message: `The Echo API is in ${products.map((p) => p.id).join(', ')}, but the administrator has no active subscription to any of them: 401.`,
    });
  }
  const keyHeader = api.subscriptionKeyParameterNames.header.toLowerCase();
  for (const operation of index.operationsOf(api.id)) {
    const header = operation.request.headers.find((h) => h.name.toLowerCase() === keyHeader);
    if (header && (header.defaultValue || header.values?.length)) {
      findings.push({
        code: 'hardCodedKeyHeader',
        operationId: operation.id,
        message: `Operation ${operation.id} defines an ${api.subscriptionKeyParameterNames.header} header with a fixed value; the test console sends it instead of the subscription's key: 401 "invalid subscription key".`,
      });
    }
  }
  const faults = new Set(findings.map((f) => (f.code === 'hardCodedKeyHeader' ? 'header' : 'product')));
  const status = faults.size === 0 ? 'fixed' : faults.size === 2 ? 'broken' : 'partly fixed';
  return { status, findings, usableProducts };
}
