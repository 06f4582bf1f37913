import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * Small HTTP servers on loopback (port 0) standing in for a fleet's instances: in this process
 * (counting what they get, for drain assertions) or in a child process (to be killed with SIGKILL,
 * as a crashed instance is).
 */
export interface TestInstance {
  id: string;
  url: string;
  port: number;
  /** Requests received. */
  readonly hits: number;
  /** Requests received and not answered yet. */
  readonly inFlight: number;
  /** Stop listening and drop every connection (the instance goes down). */
  close(): Promise<void>;
}

export interface InstanceBehaviour {
  /** Time to answer each request, ms (a function for a distribution). Default 0. */
  delayMs?: number | (() => number);
  status?: number;
}

export async function startInstance(id: string, behaviour: InstanceBehaviour = {}): Promise<TestInstance> {
  let hits = 0;
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    hits++;
    inFlight++;
    req.resume();
    const d = behaviour.delayMs;
    const delay = typeof d === 'function' ? d() : (d ?? 0);
    setTimeout(() => {
      res.writeHead(behaviour.status ?? 200, { 'content-type': 'text/plain' });
      res.end(`${id}\n`, () => inFlight--);
    }, delay);
  });
  // Longer than HAProxy keeps idle server connections, so HAProxy never reuses one we are closing.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    id,
    url: `http://127.0.0.1:${port}`,
    port,
    get hits() {
      return hits;
    },
    get inFlight() {
      return inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface ChildInstance {
  id: string;
  url: string;
  port: number;
  pid: number;
  /** SIGKILL: the kernel resets its connections and refuses new ones. */
  kill(): Promise<void>;
}

const CHILD = `
const http = require('node:http');
const delay = Number(process.argv[1]);
const server = http.createServer((req, res) => { req.resume(); setTimeout(() => res.end('child\\n'), delay); });
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

export async function startChildInstance(id: string, delayMs = 0): Promise<ChildInstance> {
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD, String(delayMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.once('line', (l) => resolve(Number(l)));
    child.once('exit', (code) => reject(new Error(`instance ${id} exited ${code} before listening`)));
  });
  return {
    id,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Poll until `cond` holds, at most `timeoutMs` (a bound on the test, not an assertion on speed). */
export async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
