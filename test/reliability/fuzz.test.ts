import { defineFuzzTest } from './fuzzCore';

/**
 * A few hundred fuzzed management requests (fast-check) in every `npm test`; the
 * thousands run in `npm run test:reliability` (fuzz.reliability.ts).
 */
defineFuzzTest('management API under fuzzed input', 'management fuzz (npm test)', Number(process.env.FUZZ_RUNS ?? 300), 120_000);
