// azd preprovision hook: makes sure the azd environment holds the three secrets that
// main.parameters.json passes to Bicep (decision in secrets.mjs). A secret missing from
// the environment is taken from the deployment's Key Vault when it is already there,
// and generated only when it is not; either way it is stored in the environment, so
// every redeploy passes the same value. Secret values are never printed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureSecrets } from './secrets.mjs';

const run = promisify(execFile);
// On Windows az and azd are .cmd scripts.
const shell = process.platform === 'win32';

async function az(args) {
  const { stdout } = await run('az', [...args, '--only-show-errors'], { shell, maxBuffer: 1 << 20 });
  return stdout.trim();
}

/** The deployment's vault: the one azd recorded at the last provision, else the one in its resource group. */
async function vaultName() {
  if (process.env.AZURE_KEY_VAULT_NAME) return { name: process.env.AZURE_KEY_VAULT_NAME };
  const group = process.env.AZURE_RESOURCE_GROUP || (process.env.AZURE_ENV_NAME && `rg-${process.env.AZURE_ENV_NAME}`);
  if (!group) return { name: undefined };
  try {
    if ((await az(['group', 'exists', '--name', group])) !== 'true') return { name: undefined };
    const names = await az(['keyvault', 'list', '--resource-group', group, '--query', "[?starts_with(name, 'kv-apim-')].name", '-o', 'tsv']);
    return { name: names.split(/\s+/).filter(Boolean)[0] };
  } catch (error) {
    // Without az there is no way to look; an environment that never provisioned has nothing to find.
    if (error.code === 'ENOENT') return { name: undefined, note: 'az is not installed' };
    return { error: `looking for the vault in ${group}: ${firstLine(error.stderr) || error.message}` };
  }
}

function firstLine(text) {
  return String(text ?? '').split('\n').find((line) => line.trim()) ?? '';
}

let vault;
async function readVaultSecret(secretName) {
  vault ??= await vaultName();
  if (vault.error) return { error: vault.error };
  if (!vault.name) return { found: false };
  try {
    return { found: true, value: await az(['keyvault', 'secret', 'show', '--vault-name', vault.name, '--name', secretName, '--query', 'value', '-o', 'tsv']) };
  } catch (error) {
    const message = firstLine(error.stderr) || error.message;
    if (/SecretNotFound|was not found in this key vault/i.test(message)) return { found: false };
    return { error: error.code === 'ENOENT' ? 'az is not installed' : message };
  }
}

async function store(name, value) {
  await run('azd', ['env', 'set', name, value], { shell });
}

const ok = await ensureSecrets({ env: process.env, readVaultSecret, store, log: (line) => console.log(line) });
process.exit(ok ? 0 : 1);
