import { defineFuzzTest } from './fuzzCore';

/** The management fuzz by the thousand (fuzzCore.ts); `npm test` runs a few hundred of the same cases (fuzz.test.ts). */
defineFuzzTest('management API under fuzzed input, heavy', 'management fuzz', Number(process.env.FUZZ_RUNS ?? 5000));
