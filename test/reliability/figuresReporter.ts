import type { Reporter, TestModule } from 'vitest/node';
import type { ReliabilityFigures } from './support';

/**
 * Prints the figures the reliability tests attached to themselves (`report()` in
 * support.ts) as one table at the end of `npm run test:reliability`, and fails the
 * run when a figure that must be 0 is not (the tests assert it too).
 */
export default class FiguresReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: ReliabilityFigures[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) rows.push(...(test.meta().reliability ?? []));
    }
    if (rows.length === 0) {
      process.stdout.write('\nReliability figures: none reported (no reliability test ran to the end).\n');
      process.exitCode = 1;
      return;
    }
    const sum = (pick: (row: ReliabilityFigures) => number) => rows.reduce((total, row) => total + pick(row), 0);
    const totals = {
      requests: sum((r) => r.requests),
      misauthorizations: sum((r) => r.misauthorizations),
      unexpected5xx: sum((r) => r.unexpected5xx),
      recordsLost: sum((r) => r.recordsLost),
    };
    const recoveries = rows.filter((r) => r.recoverySeconds !== undefined);
    const width = Math.max(...rows.map((r) => r.suite.length), 'total'.length);
    const line = (suite: string, requests: number | string, mis: number | string, fx: number | string, lost: number | string, recovery: string) =>
      `  ${suite.padEnd(width)}  ${String(requests).padStart(9)}  ${String(mis).padStart(18)}  ${String(fx).padStart(15)}  ${String(lost).padStart(12)}  ${recovery.padStart(10)}`;
    const out: string[] = [
      '',
      'Reliability figures',
      line('suite', 'requests', 'mis-authorizations', 'unexpected 5xx', 'records lost', 'recovery'),
      line('', '(all)', '(must be 0)', '(must be 0)', '(must be 0)', '(seconds)'),
      ...rows.map((r) => line(r.suite, r.requests, r.misauthorizations, r.unexpected5xx, r.recordsLost, r.recoverySeconds === undefined ? '' : r.recoverySeconds.toFixed(2))),
      line('total', totals.requests, totals.misauthorizations, totals.unexpected5xx, totals.recordsLost, recoveries.length ? `max ${Math.max(...recoveries.map((r) => r.recoverySeconds!)).toFixed(2)}` : ''),
      '',
      ...rows.filter((r) => r.notes && Object.keys(r.notes).length).map((r) => `  ${r.suite}: ${Object.entries(r.notes!).map(([k, v]) => `${k} ${v}`).join('; ')}`),
      '',
    ];
    const bad = (['misauthorizations', 'unexpected5xx', 'recordsLost'] as const).filter((name) => totals[name] !== 0);
    out.push(bad.length ? `FAILED: ${bad.join(', ')} not 0.` : 'All must-be-0 figures are 0.', '');
    process.stdout.write(out.join('\n'));
    if (bad.length) process.exitCode = 1;
  }
}
