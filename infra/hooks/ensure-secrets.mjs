// azd preprovision hook: makes sure the azd environment holds the three secrets that
// main.parameters.json passes to Bicep, generating each one that is missing, once.
// Kept in the environment (.azure/<env>/.env), they stay the same on every redeploy.
// An existing value is never replaced: a changed KEY_ENCRYPTION_KEY would make every
// key encrypted with the old one unreadable. Secret values are never printed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const SECRETS = [
  { name: 'MANAGEMENT_PRIMARY_KEY', generate: () => randomBytes(64).toString('base64') },
  { name: 'MANAGEMENT_SECONDARY_KEY', generate: () => randomBytes(64).toString('base64') },
  { name: 'KEY_ENCRYPTION_KEY', generate: () => randomBytes(32).toString('base64'), validate: isBase64Of32Bytes },
];

function isBase64Of32Bytes(value) {
  return /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

let failed = false;
for (const secret of SECRETS) {
  // azd passes the environment's values to hooks as environment variables.
  const current = process.env[secret.name];
  if (current) {
    if (secret.validate && !secret.validate(current)) {
      console.error(`${secret.name} in the azd environment is not base64 of 32 bytes; fix or remove it (it is never replaced automatically).`);
      failed = true;
    } else {
      console.log(`${secret.name}: kept`);
    }
    continue;
  }
  execFileSync('azd', ['env', 'set', secret.name, secret.generate()], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`${secret.name}: generated and stored in the azd environment`);
}
process.exit(failed ? 1 : 0);
