import type { CatalogIndex } from '../../catalog/catalogIndex';
import { diagnoseScenario1 } from './scenario1';
import { diagnoseScenario2 } from './scenario2';
import { diagnoseLab, scenario3State, type LabState } from './scenario3';
import { diagnoseScenario4 } from './scenario4';
import { diagnoseScenario5 } from './scenario5';
import type { LabStateView, ScenarioState } from './types';

/**
 * The lab's diagnosis: each scenario of the troubleshooting series read from the
 * catalog, its state and one finding per fault with the fix as data
 * (docs/lab-diagnosis.md). `diagnoseLab` is scenario 3 alone, as it always was.
 */

export { diagnoseLab, FIX_PRODUCT_ID, type LabFinding, type LabState } from './scenario3';
export type { Finding, Fix, FixRequest, LabStateView, ScenarioState, ScenarioStatus } from './types';

/** Every scenario's state, in order. */
export function diagnoseScenarios(index: CatalogIndex, scenario3: LabState = diagnoseLab(index)): ScenarioState[] {
  return [diagnoseScenario1(index), diagnoseScenario2(index), scenario3State(scenario3), diagnoseScenario4(index), diagnoseScenario5(index)];
}

export function labStateOf(index: CatalogIndex): LabStateView {
  const scenario3 = diagnoseLab(index);
  return { ...scenario3, scenarios: diagnoseScenarios(index, scenario3) };
}
