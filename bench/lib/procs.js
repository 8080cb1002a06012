'use strict';

/**
 * Child processes of a bench run. Every one is registered, so that whatever way
 * the run ends (done, error, Ctrl-C, SIGTERM) none is left running.
 */
const { fork, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('./dist');

const children = new Set();
let hooked = false;

function register(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!hooked) {
    hooked = true;
    // Last resort: the process is exiting, no time for grace.
    process.once('exit', () => {
      for (const c of children) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every child still running. */
function stopAll() {
  return Promise.all([...children].map((child) => stopChild(child)));
}

/**
 * Forks one of bench/servers/*.js and waits for its `{ ready: true, port }`
 * message. Resolves with that message plus `child` and `stop()`.
 */
function forkServer(name, { env = {}, execArgv = [], timeoutMs = 120_000 } = {}) {
  const child = fork(join(__dirname, '..', 'servers', `${name}.js`), [], {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  register(child);
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
    child.on('message', (message) => {
      if (message && message.ready) {
        clearTimeout(timer);
        resolve({ ...message, child, output: () => output, stop: () => stopChild(child), ask: (question, field, timeoutMs) => ask(child, question, field, timeoutMs) });
      }
    });
  });
}

/** Sends `question` and resolves with the first reply that has `field`. */
function ask(child, question, field, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no ${field} from the child within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message) => {
      if (message && message[field] !== undefined) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message[field]);
      }
    };
    child.on('message', onMessage);
    child.send(question);
  });
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux);
 * undefined elsewhere. Clock ticks are taken as 100 per second (the Linux default).
 */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const READY = /Functions host listening on (http:\/\/\S+)/;

/**
 * The project's local Functions host (`dist/src/local/main.js`), as `npm start`
 * runs it, in a child process. Its output (a line per request at the Information
 * level, as the real host logs) is read and dropped, keeping only a tail for errors.
 */
function startLocalHost({ env = {}, execArgv = [], timeoutMs = 60_000 } = {}) {
  const main = dist('local/main');
  const childEnv = { ...process.env, PORT: '0' };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const child = spawn(process.execPath, [...execArgv, main], { cwd: dist.ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  register(child);
  let output = '';
  let head = '';
  const keep = (chunk) => {
    const text = chunk.toString();
    if (head.length < 4000) head += text;
    output = (output + text).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The local host did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The local host exited (${code ?? signal}) before it was ready:\n${output}`));
    });
    const check = () => {
      const match = READY.exec(head);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        const port = Number(new URL(match[1]).port);
        resolve({ port, child, output: () => output, stop: () => stopChild(child, 12_000) });
      }
    };
    child.stdout.on('data', check);
  });
}

module.exports = { forkServer, startLocalHost, stopChild, stopAll, cpuMs };
