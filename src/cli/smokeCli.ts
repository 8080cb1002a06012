/**
 * `npm run smoke -- <base-url> [--token <token>]`: scenario 3 against a running lab,
 * local or deployed (src/cli/smoke.ts). The management token comes from --token or
 * the APIM_LAB_TOKEN environment variable (npm run -s token prints one; for a
 * deployed lab sign it with the key from Key Vault: npm run -s token -- --key ...).
 * Prints PASS or FAIL per step; exits 1 when any step fails.
 */
import { parseArgs } from 'node:util';
import { TOKEN_VARIABLE } from './remoteLab';
import { runSmoke } from './smoke';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { token: { type: 'string' } }, allowPositionals: true });
  const [baseUrl] = positionals;
  if (!baseUrl || positionals.length > 1) throw new Error('usage: npm run smoke -- <base-url> (token in APIM_LAB_TOKEN or --token)');
  const token = values.token ?? process.env[TOKEN_VARIABLE];
  if (!token) throw new Error(`No management token: set ${TOKEN_VARIABLE} or pass --token.`);
  process.stdout.write(`Scenario 3 smoke test against ${new URL(baseUrl).origin}\n`);
  const steps = await runSmoke({
    baseUrl,
    token,
    onStep: (step) => process.stdout.write(`${step.ok ? 'PASS' : 'FAIL'}  ${step.name}${step.ok || !step.detail ? '' : `: ${step.detail}`}\n`),
  });
  const failed = steps.filter((step) => !step.ok).length;
  process.stdout.write(failed ? `${failed} of ${steps.length} steps failed.\n` : `All ${steps.length} steps passed.\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`smoke failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
