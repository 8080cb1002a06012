import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskMeta } from 'vitest';
import { INVALID_KEY_BODY, MISSING_KEY_BODY, serviceUnavailableResponse } from '../../src/apim/gatewayResponses';
import { createSasToken } from '../../src/management';
import { startAzurite, type RunningAzurite } from '../../src/local/azurite';
import { startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';
import { sleep } from '../helpers/time';

/**
 * Shared pieces of the reliability tests: a dedicated Azurite that a test may stop,
 * pause and restart, the local host started on it, small HTTP clients for the
 * gateway and the management API, and the figures each test reports (collected by
 * figuresReporter.ts in `npm run test:reliability`).
 */

export const RESOURCE = '/echo/resource?param1=sample';
export const MISSING = MISSING_KEY_BODY.toString('utf8');
export const INVALID = INVALID_KEY_BODY.toString('utf8');
export const SERVICE_UNAVAILABLE = serviceUnavailableResponse().body.toString('utf8');
/** How long a change may take to reach another instance (polling every second). */
export const PROPAGATION_BOUND_MS = 2000;

// ---- figures ----------------------------------------------------------------

/** What one reliability test reports; summed (recovery: listed) by the reporter. */
export interface ReliabilityFigures {
  suite: string;
  requests: number;
  /** A 200 for a key that was revoked (past the propagation bound), a 401 for a key valid throughout, a call let through unchecked. */
  misauthorizations: number;
  /** 5xx that no storage fault explains (expected 503s are counted apart). */
  unexpected5xx: number;
  /** Acknowledged writes whose effect is missing at the end. */
  recordsLost: number;
  /** Seconds from storage being back to the first good answer, when the test measures it. */
  recoverySeconds?: number;
  /** Anything else worth printing: name -> value. */
  notes?: Record<string, string | number>;
}

declare module 'vitest' {
  interface TaskMeta {
    reliability?: ReliabilityFigures[];
  }
}

/** Attaches figures to the running test, for the reporter; also printed at once. */
export function report(task: { meta: TaskMeta }, figures: ReliabilityFigures): void {
  (task.meta.reliability ??= []).push(figures);
  const notes = Object.entries(figures.notes ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  console.log(
    `[reliability] ${figures.suite}: requests=${figures.requests} misauthorizations=${figures.misauthorizations} ` +
      `unexpected5xx=${figures.unexpected5xx} recordsLost=${figures.recordsLost}` +
      (figures.recoverySeconds === undefined ? '' : ` recovery=${figures.recoverySeconds.toFixed(2)}s`) +
      (notes ? ` ${notes}` : ''),
  );
}

// ---- storage ----------------------------------------------------------------

/**
 * An Azurite of one test file's own, keeping its data in a temporary folder, so
 * that stopping it breaks no other file and a restart (same port, same folder)
 * finds the data again.
 */
export interface DedicatedAzurite {
  readonly port: number;
  readonly connectionString: string;
  readonly running: RunningAzurite | undefined;
  /** Stops it (an outage: connections refused). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGSTOP: storage hangs (connections accepted, never answered). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

export async function dedicatedAzurite(options: { port?: number; started?: boolean } = {}): Promise<DedicatedAzurite> {
  const location = mkdtempSync(join(tmpdir(), 'apim-reliability-'));
  let running: RunningAzurite | undefined;
  let port = options.port ?? 0;
  let paused = false;
  const start = async () => {
    running = await startAzurite({ port, location });
    port = running.port;
  };
  if (options.started !== false) await start();
  if (!port) throw new Error('an Azurite not started at once needs a port');
  const connectionString = running?.connectionString ?? `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
  const signal = (name: NodeJS.Signals) => {
    const pid = running?.process.pid;
    if (pid !== undefined && running?.process.exitCode === null) process.kill(pid, name);
  };
  const azurite: DedicatedAzurite = {
    get port() {
      return port;
    },
    connectionString,
    get running() {
      return running;
    },
    async stop() {
      if (paused) azurite.resume();
      await running?.stop();
      running = undefined;
    },
    start,
    pause() {
      signal('SIGSTOP');
      paused = true;
    },
    resume() {
      signal('SIGCONT');
      paused = false;
    },
    async dispose() {
      await azurite.stop();
      rmSync(location, { recursive: true, force: true });
    },
  };
  return azurite;
}

const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

// ---- hosts --------------------------------------------------------------------

export interface HostSetup {
  connectionString: string;
  tableName: string;
  managementKey: string;
  /** Extra or overriding settings. */
  env?: Record<string, string | undefined>;
}

/** The local host (a child process) on the given storage, seeding the lab, with one management key. */
export function startHost(setup: HostSetup): Promise<HostProcess> {
  return startHostProcess({
    env: {
      PORT: '0',
      CatalogStorage: setup.connectionString,
      AzureWebJobsStorage: setup.connectionString,
      CATALOG_TABLE_NAME: setup.tableName,
      CATALOG_POLL_MS: undefined,
      KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY,
      MANAGEMENT_IDENTIFIER: undefined,
      MANAGEMENT_PRIMARY_KEY: setup.managementKey,
      MANAGEMENT_SECONDARY_KEY: undefined,
      AZURE_SUBSCRIPTION_ID: undefined,
      AZURE_RESOURCE_GROUP: undefined,
      APIM_SERVICE_NAME: undefined,
      SEED_LAB: undefined,
      // The host sets localhost:<port>: the seeded Echo API calls this host's echo function.
      WEBSITE_HOSTNAME: undefined,
      ...setup.env,
    },
  });
}

// ---- HTTP clients ---------------------------------------------------------------

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
  /** Milliseconds from sending to the whole body. */
  ms: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, text, headers: response.headers, ms, json: () => JSON.parse(text) };
}

/** The gateway of `host`, with a subscription key or without. */
export function gateway(host: HostProcess, key?: string, path = RESOURCE): Promise<Answer> {
  return send(`${host.baseUrl}${path}`, { headers: key ? { 'Ocp-Apim-Subscription-Key': key } : {} });
}

export interface Management {
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** The primary key of a subscription (listSecrets); throws unless 200. */
  primaryKey(subscriptionId: string): Promise<string>;
}

/** The management API of `host`, signed with `key`. */
export function management(host: HostProcess, key: string): Management {
  const token = createSasToken({ identifier: 'integration', key, expiry: new Date(Date.now() + 3_600_000) });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    send(`${host.baseUrl}/management${LOCAL_SERVICE}${path}${path.includes('?') ? '&' : '?'}api-version=${API_VERSION}`, {
      method,
      headers: { Authorization: `SharedAccessSignature ${token}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    call,
    async primaryKey(subscriptionId) {
      const secrets = await call('POST', `/subscriptions/${subscriptionId}/listSecrets`);
      if (secrets.status !== 200) throw new Error(`listSecrets ${subscriptionId}: ${secrets.status} ${secrets.text}`);
      return secrets.json().primaryKey as string;
    },
  };
}

/** Asks `probe` every `everyMs` until it returns true; resolves with the milliseconds it took, rejects past `timeoutMs`. */
export async function until(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe().catch(() => false)) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

// ---- load -------------------------------------------------------------------------

/** One gateway call made under load: which key, when it was sent and answered (performance.now()), and the status. */
export interface Sample {
  key: string | undefined;
  sent: number;
  received: number;
  status: number;
}

export interface LoadOptions {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Concurrent workers, each with its own connection. */
  connections: number;
  durationMs: number;
  /** The key of the next call (undefined: none). */
  nextKey: () => string | undefined;
  path?: string;
}

/**
 * Keeps `connections` calls to the gateway in flight for `durationMs` (an undici
 * Pool, one connection per worker) and returns every call. A call that fails at
 * the transport is a sample with status 0.
 */
export async function runLoad(options: LoadOptions): Promise<Sample[]> {
  // Loaded here: undici is the app's dependency, and only the load tests need it.
  const { Pool } = await import('undici');
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 });
  const samples: Sample[] = [];
  const deadline = performance.now() + options.durationMs;
  const path = options.path ?? RESOURCE;
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < deadline) {
          const key = options.nextKey();
          const sent = performance.now();
          let status = 0;
          try {
            const response = await pool.request({ path, method: 'GET', headers: key ? { 'ocp-apim-subscription-key': key } : {} });
            status = response.statusCode;
            await response.body.dump();
          } catch {
            status = 0;
          }
          samples.push({ key, sent, received: performance.now(), status });
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return samples;
}

// ---- key validity over time -----------------------------------------------------------

/** A change of a key's validity, made by a management call sent at t0 and answered at t1. */
export interface ValidityEvent {
  t0: number;
  t1: number;
  valid: boolean;
}

/** What a key was worth over the run. */
export class KeyTimeline {
  readonly events: ValidityEvent[] = [];
  constructor(readonly initiallyValid: boolean) {}

  change(t0: number, t1: number, valid: boolean): void {
    this.events.push({ t0, t1, valid });
  }

  /**
   * What a call answered between `sent` and `received` must have seen:
   * 'valid' or 'invalid' when no change of this key was under way or still
   * propagating (from its t0 to its t1 + bound) at any time during the call;
   * otherwise 'either'.
   */
  expected(sent: number, received: number, boundMs = PROPAGATION_BOUND_MS): 'valid' | 'invalid' | 'either' {
    let valid = this.initiallyValid;
    for (const event of this.events) {
      if (event.t0 <= received && sent <= event.t1 + boundMs) return 'either';
      if (event.t1 + boundMs < sent) valid = event.valid;
    }
    return valid ? 'valid' : 'invalid';
  }
}

/** Verdicts on a run's samples against the keys' timelines. */
export interface Verdict {
  total: number;
  mustPass: number;
  mustRefuse: number;
  either: number;
  /** 401 for a key valid throughout the call. */
  wronglyRefused: number;
  /** 200 for a key revoked (beyond the bound) or never valid. */
  wronglyAccepted: number;
  fiveXx: number;
  /** Anything else: transport failures (0), other statuses. */
  other: Map<number, number>;
  examples: string[];
}

export function judge(samples: Sample[], timelineOf: (key: string | undefined) => KeyTimeline, boundMs = PROPAGATION_BOUND_MS): Verdict {
  const verdict: Verdict = { total: samples.length, mustPass: 0, mustRefuse: 0, either: 0, wronglyRefused: 0, wronglyAccepted: 0, fiveXx: 0, other: new Map(), examples: [] };
  for (const sample of samples) {
    const expected = timelineOf(sample.key).expected(sample.sent, sample.received, boundMs);
    if (expected === 'valid') verdict.mustPass++;
    else if (expected === 'invalid') verdict.mustRefuse++;
    else verdict.either++;
    const note = (what: string) => verdict.examples.length < 10 && verdict.examples.push(`${what}: key ${sample.key?.slice(0, 8)} sent ${sample.sent.toFixed(0)} got ${sample.status}`);
    if (sample.status >= 500) {
      verdict.fiveXx++;
      note('5xx');
    } else if (sample.status !== 200 && sample.status !== 401) {
      verdict.other.set(sample.status, (verdict.other.get(sample.status) ?? 0) + 1);
      note('other');
    } else if (expected === 'valid' && sample.status === 401) {
      verdict.wronglyRefused++;
      note('401 for a valid key');
    } else if (expected === 'invalid' && sample.status === 200) {
      verdict.wronglyAccepted++;
      note('200 for a revoked key');
    }
  }
  return verdict;
}
