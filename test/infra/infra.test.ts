import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser, Tree } from 'web-tree-sitter';
import { parse as parseYaml } from 'yaml';
import {
  bicepFiles,
  descendants,
  keysOf,
  loadBicepParser,
  params,
  property,
  propertyKey,
  propertyPath,
  resources,
  resourcesOfType,
  stringValue,
  syntaxErrors,
} from '../helpers/bicep';

/**
 * Offline checks of the azd deployment (infra/, azure.yaml). The Bicep compiler is not
 * available here: the Bicep grammar of tree-sitter (WASM, shipped in node_modules) finds
 * syntax errors, and walks of its syntax tree check the security properties. It does not
 * check types, names of resource properties or API versions.
 */

const root = path.resolve(__dirname, '../..');
const infraDir = path.join(root, 'infra');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

let parser: Parser;
const trees = new Map<string, Tree>();

function parse(file: string): Tree {
  let tree = trees.get(file);
  if (!tree) {
    const parsed = parser.parse(read(file));
    if (!parsed) throw new Error(`tree-sitter returned no tree for ${file}`);
    tree = parsed;
    trees.set(file, tree);
  }
  return tree;
}

/**
 * Follows keys through nested YAML mappings; undefined as soon as a step is not a mapping
 * (a list, a scalar, nothing), so a check cannot pass on a shape it did not expect.
 */
function at(value: unknown, ...keys: string[]): unknown {
  const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  return keys.reduce<unknown>((current, key) => (isMapping(current) ? current[key] : undefined), value);
}

// ------------------------------------------------------------------ tests

const files = bicepFiles(infraDir, root);

beforeAll(async () => {
  parser = await loadBicepParser();
});

describe('Bicep files parse with the tree-sitter grammar', () => {
  it('finds the Bicep files', () => {
    expect(files).toEqual(expect.arrayContaining(['infra/main.bicep', 'infra/resources.bicep']));
  });

  it.each(files)('%s has no syntax error', (file) => {
    const tree = parse(file);
    expect(syntaxErrors(file, tree)).toEqual([]);
    expect(tree.rootNode.hasError).toBe(false);
  });

  it('reports broken Bicep with file:line:column', () => {
    const broken = "param name string\nresource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: name\n  properties: {\n    allowSharedKeyAccess: false\n";
    const errors = syntaxErrors('broken.bicep', parser.parse(broken)!);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^broken\.bicep:\d+:\d+: (missing|unexpected) /);

    const stray = syntaxErrors('stray.bicep', parser.parse("var a = 'x'\nvar b = 'y' 'z'\n")!);
    expect(stray).toHaveLength(1);
    expect(stray[0]).toMatch(/^stray\.bicep:2:\d+: unexpected /);
  });
});

describe('main.bicep (subscription scope)', () => {
  it('creates the resource group tagged for azd and passes everything to resources.bicep', () => {
    const tree = parse('infra/main.bicep');
    const scope = tree.rootNode.namedChildren.find((n) => n?.type === 'target_scope_assignment');
    expect(stringValue(scope?.namedChildren[0])).toBe('subscription');

    const [rg] = resourcesOfType(tree, 'Microsoft.Resources/resourceGroups@');
    expect(rg).toBeDefined();
    expect(property(rg!.body, 'tags')?.text).toBe('tags');
    const tagsVar = descendants(tree.rootNode, 'variable_declaration').find((v) => v.namedChildren[0]?.text === 'tags');
    expect(property(tagsVar?.namedChildren[1], 'azd-env-name')?.text).toBe('environmentName');

    const module = descendants(tree.rootNode, 'module_declaration')[0];
    expect(stringValue(module?.namedChildren[1])).toBe('resources.bicep');
  });

  it('location: azd location metadata, and only regions that offer Flex Consumption', () => {
    const location = params(parse('infra/main.bicep')).find((p) => p.name === 'location');
    expect(location?.decorators).toEqual(expect.arrayContaining(['allowed', 'metadata']));
    const text = read('infra/main.bicep');
    const declaration = text.slice(text.indexOf('@allowed(['), text.indexOf('param location string'));
    expect(declaration).toMatch(/@metadata\(\{\s*azd: \{\s*type: 'location'\s*\}\s*\}\)/);
    const allowed = [...declaration.matchAll(/^\s+'([a-z0-9]+)'$/gm)].map((m) => m[1]);
    expect(allowed).toEqual(expect.arrayContaining(['eastus', 'eastus2', 'westeurope', 'northeurope', 'swedencentral', 'australiaeast']));
    // Regions without Flex Consumption are refused before anything is created.
    for (const region of ['westindia', 'japanwest', 'chinaeast', 'usgovvirginia']) expect(allowed).not.toContain(region);
  });

  it('declares the azd parameters and makes every key a secure parameter', () => {
    const declared = new Map(params(parse('infra/main.bicep')).map((p) => [p.name, p]));
    for (const name of ['environmentName', 'location', 'principalId']) expect(declared.has(name), name).toBe(true);
    for (const name of ['managementPrimaryKey', 'managementSecondaryKey', 'keyEncryptionKey']) {
      expect(declared.get(name)?.decorators, name).toContain('secure');
    }
    // Keys default to generated GUIDs, never to a literal; the encryption key has no default.
    for (const name of ['managementPrimaryKey', 'managementSecondaryKey']) {
      const value = declared.get(name)!.defaultValue!;
      expect(value.type).toBe('string');
      expect(value.namedChildren.every((c) => c?.type === 'interpolation' && /^\$\{newGuid\(\)\}$/.test(c.text))).toBe(true);
    }
    expect(declared.get('keyEncryptionKey')?.defaultValue).toBeUndefined();
    expect(declared.get('apimServiceName')?.defaultValue?.text).toBe("'apim-lab'");
    expect(declared.get('managementIdentifier')?.defaultValue?.text).toBe("'integration'");
  });

  it('outputs what azd and the README use, and no secret', () => {
    const tree = parse('infra/main.bicep');
    const outputs = descendants(tree.rootNode, 'output_declaration').map((o) => o.namedChildren[0]!.text);
    expect(outputs).toEqual(
      expect.arrayContaining(['AZURE_FUNCTION_APP_NAME', 'AZURE_FUNCTION_URL', 'AZURE_KEY_VAULT_NAME', 'AZURE_RESOURCE_GROUP']),
    );
    for (const file of files) {
      const fileTree = parse(file);
      const secureParams = params(fileTree).filter((p) => p.decorators.includes('secure')).map((p) => p.name);
      for (const output of descendants(fileTree.rootNode, 'output_declaration')) {
        const name = output.namedChildren[0]!.text;
        expect(name, `${file}: ${name}`).not.toMatch(/(key|secret|password)$|connection_?string/i);
        const identifiers = descendants(output, 'identifier').map((i) => i.text);
        for (const secure of secureParams) expect(identifiers, `${file}: ${name} uses ${secure}`).not.toContain(secure);
      }
    }
  });
});

describe('resources.bicep security properties', () => {
  const tree = () => parse('infra/resources.bicep');

  it('storage account: no shared keys, no public blobs, TLS 1.2, HTTPS only', () => {
    const accounts = resourcesOfType(tree(), 'Microsoft.Storage/storageAccounts@');
    expect(accounts).toHaveLength(1);
    const props = property(accounts[0]!.body, 'properties');
    expect(property(props, 'allowSharedKeyAccess')?.text).toBe('false');
    expect(property(props, 'allowBlobPublicAccess')?.text).toBe('false');
    expect(stringValue(property(props, 'minimumTlsVersion'))).toBe('TLS1_2');
    expect(property(props, 'supportsHttpsTrafficOnly')?.text).toBe('true');
  });

  it("probes APIM's status endpoint on the app with an availability test (Flex Consumption has no platform health check)", () => {
    const tests = resourcesOfType(tree(), 'Microsoft.Insights/webtests@');
    expect(tests).toHaveLength(1);
    const props = property(tests[0]!.body, 'properties');
    expect(propertyPath(props, 'Request', 'RequestUrl')?.text).toBe("'https://${functionApp.properties.defaultHostName}/status-0123456789abcdef'");
    expect(stringValue(propertyPath(props, 'Request', 'HttpVerb'))).toBe('GET');
    expect(propertyPath(props, 'ValidationRules', 'ExpectedHttpStatusCode')?.text).toBe('200');
    expect(property(property(resourcesOfType(tree(), 'Microsoft.Web/sites@')[0]!.body, 'properties'), 'siteConfig')?.text).not.toContain('healthCheckPath');
  });

  it('function app: Flex Consumption, node 22, HTTPS only, TLS 1.2, no FTP, identity for Key Vault references', () => {
    const [plan] = resourcesOfType(tree(), 'Microsoft.Web/serverfarms@');
    expect(stringValue(propertyPath(plan?.body, 'sku', 'name'))).toBe('FC1');
    expect(stringValue(propertyPath(plan?.body, 'sku', 'tier'))).toBe('FlexConsumption');

    const sites = resourcesOfType(tree(), 'Microsoft.Web/sites@');
    expect(sites).toHaveLength(1);
    const site = sites[0]!.body;
    const props = property(site, 'properties');
    expect(property(props, 'httpsOnly')?.text).toBe('true');
    expect(stringValue(propertyPath(props, 'siteConfig', 'minTlsVersion'))).toBe('1.2');
    expect(stringValue(propertyPath(props, 'siteConfig', 'ftpsState'))).toBe('Disabled');
    expect(property(props, 'keyVaultReferenceIdentity')?.text).toBe('identity.id');
    expect(stringValue(propertyPath(props, 'functionAppConfig', 'runtime', 'name'))).toBe('node');
    expect(stringValue(propertyPath(props, 'functionAppConfig', 'runtime', 'version'))).toBe('22');
    expect(stringValue(propertyPath(props, 'functionAppConfig', 'deployment', 'storage', 'type'))).toBe('blobContainer');
    expect(stringValue(propertyPath(props, 'functionAppConfig', 'deployment', 'storage', 'authentication', 'type'))).toBe(
      'UserAssignedIdentity',
    );
    expect(keysOf(propertyPath(props, 'functionAppConfig', 'scaleAndConcurrency'))).toEqual(
      expect.arrayContaining(['maximumInstanceCount', 'instanceMemoryMB']),
    );
    expect(stringValue(propertyPath(site, 'identity', 'type'))).toBe('UserAssigned');

    // Basic-auth publishing (FTP and SCM) is switched off.
    const policies = resourcesOfType(tree(), 'basicPublishingCredentialsPolicies');
    expect(policies.map((p) => stringValue(property(p.body, 'name'))).sort()).toEqual(['ftp', 'scm']);
    for (const policy of policies) expect(propertyPath(policy.body, 'properties', 'allow')?.text).toBe('false');
  });

  it('app settings: every name the app reads, identity-based storage, keys as Key Vault references', () => {
    const [appSettings] = resourcesOfType(tree(), 'config').filter((r) => stringValue(property(r.body, 'name')) === 'appsettings');
    const settings = property(appSettings?.body, 'properties');
    const names = keysOf(settings);
    const required = [
      'AzureWebJobsStorage__credential',
      'AzureWebJobsStorage__clientId',
      'CatalogStorage__tableServiceUri',
      'CatalogStorage__clientId',
      'MANAGEMENT_IDENTIFIER',
      'MANAGEMENT_PRIMARY_KEY',
      'MANAGEMENT_SECONDARY_KEY',
      'KEY_ENCRYPTION_KEY',
      'AZURE_SUBSCRIPTION_ID',
      'AZURE_RESOURCE_GROUP',
      'APIM_SERVICE_NAME',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    ];
    expect(names).toEqual(expect.arrayContaining(required));
    expect(names.some((n) => /^AzureWebJobsStorage__(accountName|blobServiceUri)$/.test(n))).toBe(true);
    // No connection string (it would need a shared key); no settings Flex Consumption rejects.
    expect(names).not.toContain('AzureWebJobsStorage');
    expect(names).not.toContain('CatalogStorage');
    for (const banned of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE', 'WEBSITE_NODE_DEFAULT_VERSION']) {
      expect(names).not.toContain(banned);
    }

    expect(stringValue(property(settings, 'AzureWebJobsStorage__credential'))).toBe('managedidentity');
    expect(property(settings, 'CatalogStorage__clientId')?.text).toBe('identity.properties.clientId');
    expect(property(settings, 'CatalogStorage__tableServiceUri')?.text).toBe('storage.properties.primaryEndpoints.table');
    for (const name of ['MANAGEMENT_PRIMARY_KEY', 'MANAGEMENT_SECONDARY_KEY', 'KEY_ENCRYPTION_KEY']) {
      expect(property(settings, name)?.text, name).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=\$\{keyVault::\w+\.properties\.secretUri\}\)'$/);
    }
    expect(property(settings, 'AZURE_SUBSCRIPTION_ID')?.text).toBe('subscription().subscriptionId');
    expect(property(settings, 'AZURE_RESOURCE_GROUP')?.text).toBe('resourceGroup().name');
    expect(property(settings, 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING')?.text).toMatch(/Authorization=AAD/);
  });

  it('Key Vault in RBAC mode holds the three secrets', () => {
    const [vault] = resourcesOfType(tree(), 'Microsoft.KeyVault/vaults@');
    expect(propertyPath(vault?.body, 'properties', 'enableRbacAuthorization')?.text).toBe('true');
    const secrets = resourcesOfType(tree(), 'secrets').map((s) => stringValue(property(s.body, 'name')));
    expect(secrets.sort()).toEqual(['key-encryption-key', 'management-primary-key', 'management-secondary-key']);
    // Secret values come from secure parameters only.
    for (const secret of resourcesOfType(tree(), 'secrets')) {
      expect(propertyPath(secret.body, 'properties', 'value')?.type).toBe('identifier');
    }
  });

  it('gives the identity the storage, Key Vault and monitoring roles', () => {
    const roleIds = new Map(
      descendants(tree().rootNode, 'variable_declaration')
        .filter((v) => v.namedChildren[0]?.text === 'roles')
        .flatMap((v) => v.namedChildren[1]!.namedChildren.map((p) => [propertyKey(p!)!, stringValue(p!.namedChildren[1])!])),
    );
    // Built-in role definition ids, as Azure publishes them.
    expect(Object.fromEntries(roleIds)).toEqual({
      storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
      storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
      storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
      monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
    });
    const assigned = resourcesOfType(tree(), 'Microsoft.Authorization/roleAssignments@')
      .filter((a) => propertyPath(a.body, 'properties', 'principalId')?.text === 'identity.properties.principalId')
      .map((a) => propertyPath(a.body, 'properties', 'roleDefinitionId')?.text.match(/roles\.(\w+)/)?.[1]);
    expect(assigned.sort()).toEqual([...roleIds.keys()].sort());
  });

  it('tags every resource with a location, and the function app with azd-service-name: api', () => {
    for (const resource of resources(tree())) {
      if (property(resource.body, 'location')) expect(property(resource.body, 'tags'), resource.symbol).toBeDefined();
    }
    const [site] = resourcesOfType(tree(), 'Microsoft.Web/sites@');
    const serviceTag = descendants(property(site!.body, 'tags')!, 'object_property').find((p) => propertyKey(p) === 'azd-service-name');
    expect(stringValue(serviceTag?.namedChildren[1])).toBe('api');
  });
});

describe('main.parameters.json', () => {
  const parameters = JSON.parse(read('infra/main.parameters.json')) as {
    $schema: string;
    contentVersion: string;
    parameters: Record<string, { value: unknown }>;
  };

  it('is a deployment parameters file mapping azd environment values', () => {
    expect(parameters.$schema).toMatch(/deploymentParameters\.json#$/);
    expect(parameters.contentVersion).toBe('1.0.0.0');
    expect(parameters.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters.parameters.location?.value).toBe('${AZURE_LOCATION}');
    expect(parameters.parameters.principalId?.value).toBe('${AZURE_PRINCIPAL_ID}');
    expect(parameters.parameters.managementPrimaryKey?.value).toBe('${MANAGEMENT_PRIMARY_KEY}');
    expect(parameters.parameters.managementSecondaryKey?.value).toBe('${MANAGEMENT_SECONDARY_KEY}');
    expect(parameters.parameters.keyEncryptionKey?.value).toBe('${KEY_ENCRYPTION_KEY}');
  });

  it('names only parameters of main.bicep, and gives every required one a value', () => {
    const declared = params(parse('infra/main.bicep'));
    const names = declared.map((p) => p.name);
    for (const name of Object.keys(parameters.parameters)) expect(names, name).toContain(name);
    for (const p of declared.filter((d) => !d.defaultValue)) expect(parameters.parameters, p.name).toHaveProperty(p.name);
  });

  it('passes secure parameters only as ${VAR} references', () => {
    for (const p of params(parse('infra/main.bicep')).filter((d) => d.decorators.includes('secure'))) {
      const value = parameters.parameters[p.name]?.value;
      if (value !== undefined) expect(value, p.name).toMatch(/^\$\{[A-Z0-9_]+\}$/);
    }
  });
});

describe('azure.yaml', () => {
  const yaml: unknown = parseYaml(read('azure.yaml'));

  it('declares one function service "api" built from the repository root', () => {
    expect(at(yaml, 'name')).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    const services = at(yaml, 'services');
    expect(Object.keys(services as object)).toEqual(['api']);
    expect(at(services, 'api', 'project')).toBe('.');
    expect(['js', 'ts']).toContain(at(services, 'api', 'language'));
    expect(at(services, 'api', 'host')).toBe('function');
  });

  it('builds and stages the package before packaging, and deploys exactly that folder', () => {
    for (const os of ['posix', 'windows']) {
      expect(at(yaml, 'services', 'api', 'hooks', 'prepackage', os, 'run')).toBe('npm run package');
    }
    // `npm run package` builds first, then stages .deploy/app (test/deploy/package.test.ts).
    expect(JSON.parse(read('package.json')).scripts.package).toMatch(/^npm run -s build && node dist\/src\/cli\/packageCli\.js$/);
    expect(at(yaml, 'services', 'api', 'dist')).toBe('.deploy/app');
    // The package holds no sources: a remote build would have nothing to compile.
    expect(at(yaml, 'services', 'api', 'remoteBuild')).toBe(false);
    const funcignore = read('.funcignore').split(/\r?\n/).map((l) => l.trim());
    expect(funcignore).not.toContain('node_modules');
    expect(funcignore).not.toContain('node_modules/');
    expect(funcignore).not.toContain('dist/');
  });

  it('runs the secrets hook before provisioning', () => {
    for (const os of ['posix', 'windows']) {
      expect(at(yaml, 'hooks', 'preprovision', os, 'run')).toBe('node infra/hooks/ensure-secrets.mjs');
    }
  });

  it('broken YAML fails the checks, with its line', () => {
    expect(() => parseYaml('services:\n  api: {}\n  api: {}\n')).toThrow(/unique at line 3/);
    expect(() => parseYaml('services:\n\tapi: {}\n')).toThrow(/Tabs .* line 2/);
    expect(() => parseYaml('a:\n   b: c\n  d: e\n')).toThrow(/line 3/);
  });

  it('a list where the checks expect a mapping is not read as one', () => {
    const listed = parseYaml('services:\n  - api\n') as unknown;
    expect(at(listed, 'services')).toEqual(['api']);
    expect(at(listed, 'services', 'api')).toBeUndefined();
    expect(at(listed, 'services', '0')).toBeUndefined();
  });
});

describe('no secret literal in the deployment files', () => {
  const deploymentFiles = [...files, 'infra/main.parameters.json', 'azure.yaml', 'infra/hooks/ensure-secrets.mjs', 'infra/hooks/secrets.mjs', 'infra/README.md'];
  const knownRoleIds = new Set([
    'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    '4633458b-17de-408a-b874-0445c86b69e6',
    '3913510d-42f4-4e42-8a64-420c390055eb',
  ]);

  it.each(deploymentFiles)('%s', (file) => {
    const text = read(file);
    // Connection strings and SAS tokens carry keys.
    expect(text).not.toMatch(/AccountKey=|SharedAccessSignature=|sig=[A-Za-z0-9%]{20,}|InstrumentationKey=[0-9a-f-]{36}/i);
    // Long base64 or hex runs look like keys.
    expect(text).not.toMatch(/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])/);
    expect(text).not.toMatch(/(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/i);
    // GUIDs only where they are public role definition ids.
    for (const guid of text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? []) {
      expect(knownRoleIds.has(guid.toLowerCase()), `${file}: ${guid}`).toBe(true);
    }
  });
});

describe('preprovision hook (infra/hooks/ensure-secrets.mjs)', () => {
  /** Runs the hook with a stand-in `azd` that records its arguments. */
  function runHook(env: Record<string, string>, az?: string): { status: number; calls: string[][]; output: string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'azd-hook-'));
    try {
      const log = path.join(dir, 'calls.jsonl');
      const fakeAzd = path.join(dir, 'azd');
      writeFileSync(
        fakeAzd,
        `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`,
      );
      chmodSync(fakeAzd, 0o755);
      if (az !== undefined) {
        writeFileSync(path.join(dir, 'az'), `#!${process.execPath}\n${az}\n`);
        chmodSync(path.join(dir, 'az'), 0o755);
      }
      let status = 0;
      let output = '';
      try {
        output = execFileSync(process.execPath, [path.join(infraDir, 'hooks/ensure-secrets.mjs')], {
          env: { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, ...env },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (error) {
        const failure = error as { status: number; stdout: string; stderr: string };
        status = failure.status;
        output = failure.stdout + failure.stderr;
      }
      let calls: string[][] = [];
      try {
        calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
      } catch {
        calls = [];
      }
      return { status, calls, output };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.skipIf(process.platform === 'win32')('generates the missing secrets once, in the expected formats, without printing them', () => {
    const { status, calls, output } = runHook({});
    expect(status).toBe(0);
    expect(calls.map((c) => c.slice(0, 3))).toEqual([
      ['env', 'set', 'MANAGEMENT_PRIMARY_KEY'],
      ['env', 'set', 'MANAGEMENT_SECONDARY_KEY'],
      ['env', 'set', 'KEY_ENCRYPTION_KEY'],
    ]);
    const [primary, secondary, encryption] = calls.map((c) => c[3]!);
    expect(Buffer.from(primary!, 'base64')).toHaveLength(64);
    expect(secondary).not.toBe(primary);
    expect(encryption).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(encryption!, 'base64')).toHaveLength(32);
    for (const value of [primary, secondary, encryption]) expect(output).not.toContain(value);
  });

  it.skipIf(process.platform === 'win32')('keeps values the environment already has', () => {
    const { status, calls } = runHook({
      MANAGEMENT_PRIMARY_KEY: 'existing-primary',
      MANAGEMENT_SECONDARY_KEY: 'existing-secondary',
      KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(status).toBe(0);
    expect(calls).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('takes a secret missing from the environment from the existing Key Vault, and stores it', () => {
    const kek = Buffer.alloc(32, 5).toString('base64');
    const az = `const a = process.argv.slice(2); if (a.includes('key-encryption-key') && a.includes('kv-apim-k3x9q2')) console.log(${JSON.stringify(kek)}); else process.exit(3);`;
    const { status, calls, output } = runHook({ MANAGEMENT_PRIMARY_KEY: 'p', MANAGEMENT_SECONDARY_KEY: 's', AZURE_KEY_VAULT_NAME: 'kv-apim-k3x9q2' }, az);
    expect(status).toBe(0);
    expect(calls).toEqual([['env', 'set', 'KEY_ENCRYPTION_KEY', kek]]);
    expect(output).not.toContain(kek);
  });

  it.skipIf(process.platform === 'win32')('generates nothing when the existing Key Vault cannot be read', () => {
    const az = "process.stderr.write(\"ERROR: Please run 'az login' to setup account.\\n\"); process.exit(1);";
    const { status, calls, output } = runHook({ MANAGEMENT_PRIMARY_KEY: 'p', MANAGEMENT_SECONDARY_KEY: 's', AZURE_KEY_VAULT_NAME: 'kv-apim-k3x9q2' }, az);
    expect(status).toBe(1);
    expect(calls).toEqual([]);
    expect(output).toMatch(/KEY_ENCRYPTION_KEY: .*could not be read \(ERROR: Please run 'az login'/);
  });

  it.skipIf(process.platform === 'win32')('refuses a malformed encryption key instead of replacing it', () => {
    const { status, calls, output } = runHook({
      MANAGEMENT_PRIMARY_KEY: 'p',
      MANAGEMENT_SECONDARY_KEY: 's',
      KEY_ENCRYPTION_KEY: 'too-short',
    });
    expect(status).toBe(1);
    expect(calls).toEqual([]);
    expect(output).toMatch(/KEY_ENCRYPTION_KEY .* not base64 of 32 bytes/);
    expect(output).not.toContain('too-short');
  });
});
