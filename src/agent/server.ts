/**
 * `startAgent`: serves the guest-agent API over HTTP on a unix socket (what containers mount as
 * /var/run/dstack.sock or /var/run/tappd.sock) and optionally on TCP 127.0.0.1 (for
 * DSTACK_SIMULATOR_ENDPOINT=http://127.0.0.1:PORT). Plain node:http; one process-wide handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { chmodSync, existsSync, lstatSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DSTACK_DEFAULTS, deploymentFrom, effectiveKeyProvider } from '../compose/deployment.js';
import { InputError } from '../util/errors.js';
import { asciiJson, parseHex, sha256, toHex } from './encoding.js';
import { Keyring } from './keys.js';
import { openKeyLog, type KeyLogEntry } from './keylog.js';
import { CURRENT_OS_VERSION, parseOsVersion } from './os-version.js';
import { AgentService, RpcError, type KeyProvider } from './service.js';
import { ephemeralState, loadOrCreateState } from './state.js';

export interface AgentOptions {
  /** Unix socket to create (its directory must exist). */
  socketPath?: string;
  /** TCP port on 127.0.0.1 (0 picks a free one). Never binds other interfaces. */
  tcpPort?: number;
  /** App id, hex (dstack's are 20 bytes). Default: a fixed simulated id. */
  appId?: string;
  /** State file holding the root secret (created with mode 0600). Without it keys last one agent run. */
  statePath?: string;
  /**
   * `kms` / `local` / `tpm`: keys derived from the state's root secret; `none`: a fresh root every
   * start (unstable keys). Default: the one `appCompose` declares, else `kms`.
   */
  keyProvider?: KeyProvider;
  appName?: string;
  /** app-compose.json text; Info's compose_hash is its sha256, key_provider_info names the provider it declares. */
  appCompose?: string;
  /** dstack OS version to behave as (methods served, Version's answer); default CURRENT_OS_VERSION. */
  osVersion?: string;
  /** Called when the app calls a method the simulated OS does not serve (e.g. EmitEvent on 0.6.0). */
  onUnsupportedCall?: (call: { method: string; why: string }) => void;
  /** Append every key request to this JSONL file (public keys only). */
  keyLogPath?: string;
  onKeyRequest?: (entry: KeyLogEntry) => void;
  /** Mode of the socket file; default 0666 so a non-root container user can connect through a bind mount. */
  socketMode?: number;
}

export interface AgentHandle {
  socketPath?: string;
  /** `http://127.0.0.1:PORT` when TCP is on. */
  tcpUrl?: string;
  tcpPort?: number;
  appId: string;
  keyProvider: KeyProvider;
  /** Compressed secp256k1 public key the signature chains lead to (also Info's key_provider_info id). */
  rootPublicKeyHex: string;
  /** True when this start created the state file. */
  stateCreated: boolean;
  /** Every key request so far (a copy). */
  readonly keyLog: KeyLogEntry[];
  /** Calls `listener` on every key request; returns a function that unsubscribes. */
  onKeyRequest(listener: (entry: KeyLogEntry) => void): () => void;
  close(): Promise<void>;
}

export const DEFAULT_APP_ID = toHex(sha256('preflight-agent:default-app-id').subarray(0, 20));
const MAX_BODY = 1 << 20;
/** sun_path is 108 bytes on Linux, 104 on macOS. */
const MAX_SOCKET_PATH = 103;

export function parseAppId(text: string): Buffer {
  const bytes = parseHex(text);
  if (!bytes || bytes.length === 0 || bytes.length > 64) {
    throw new InputError(`app id must be hex (1 to 64 bytes, e.g. 20 bytes as on dstack), got "${text.slice(0, 80)}"`);
  }
  return bytes;
}

export async function startAgent(opts: AgentOptions): Promise<AgentHandle> {
  if (!opts.socketPath && opts.tcpPort === undefined)
    throw new InputError('the agent needs a socket path or a TCP port');
  if (opts.tcpPort !== undefined && (!Number.isInteger(opts.tcpPort) || opts.tcpPort < 0 || opts.tcpPort > 65535)) {
    throw new InputError(`TCP port must be an integer from 0 to 65535, got ${opts.tcpPort}`);
  }
  const appId = parseAppId(opts.appId ?? DEFAULT_APP_ID);
  const osVersion = parseOsVersion(opts.osVersion ?? CURRENT_OS_VERSION);
  const keyProvider = resolveKeyProvider(opts.keyProvider, opts.appCompose);
  if (opts.socketPath) await checkSocketPath(opts.socketPath);
  // Key provider `none` mimics a CVM without a KMS: a new root on every boot, whatever the state file says.
  const state = keyProvider === 'none' || !opts.statePath ? ephemeralState() : loadOrCreateState(opts.statePath);
  const keyring = new Keyring(state.rootSecret, appId);

  const keyLog = opts.keyLogPath ? openKeyLog(opts.keyLogPath) : undefined;
  const log: KeyLogEntry[] = [];
  const listeners = new Set<(entry: KeyLogEntry) => void>();
  if (opts.onKeyRequest) listeners.add(opts.onKeyRequest);
  const service = new AgentService({
    keyring,
    keyProvider,
    osVersion,
    appName: opts.appName ?? 'preflight-simulated-app',
    appCompose: opts.appCompose ?? defaultAppCompose(opts.appName, keyProvider),
    recordKey: (partial) => {
      const entry: KeyLogEntry = { time: new Date().toISOString(), ...partial, appId: toHex(appId) };
      log.push(entry);
      keyLog?.append(entry);
      for (const listener of listeners) {
        try {
          listener(entry);
        } catch {
          // a listener's failure must not fail the app's request
        }
      }
    },
  });

  const servers: Server[] = [];
  const handle: AgentHandle = {
    appId: toHex(appId),
    keyProvider,
    rootPublicKeyHex: keyring.kmsRootPublicKeyHex,
    stateCreated: state.created,
    get keyLog() {
      return log.map((e) => ({ ...e }));
    },
    onKeyRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {
      await Promise.all(servers.map(closeServer));
      keyLog?.close();
      if (opts.socketPath) rmSync(opts.socketPath, { force: true });
    },
  };
  try {
    if (opts.socketPath) {
      servers.push(await listen(service, { path: opts.socketPath }, opts.onUnsupportedCall));
      chmodSync(opts.socketPath, opts.socketMode ?? 0o666);
      handle.socketPath = opts.socketPath;
    }
    if (opts.tcpPort !== undefined) {
      const server = await listen(service, { port: opts.tcpPort, host: '127.0.0.1' }, opts.onUnsupportedCall);
      servers.push(server);
      const address = server.address();
      handle.tcpPort = typeof address === 'object' && address ? address.port : opts.tcpPort;
      handle.tcpUrl = `http://127.0.0.1:${handle.tcpPort}`;
    }
  } catch (err) {
    await handle.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES')
      throw new InputError(`cannot listen: ${code} (${(err as Error).message})`);
    throw err;
  }
  return handle;
}

/**
 * The key provider: as given, else the one the app-compose.json declares (docs/platform.md#key-derivation),
 * else `kms`. A given one that behaves otherwise than the declared one (keys stable or new every boot) is an error.
 */
function resolveKeyProvider(given: KeyProvider | undefined, appCompose: string | undefined): KeyProvider {
  if (given !== undefined && !['kms', 'local', 'tpm', 'none'].includes(given))
    throw new InputError(`key provider must be kms, local, tpm or none, got "${given}"`);
  let declared: KeyProvider | undefined;
  if (appCompose !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(appCompose);
    } catch {
      json = undefined; // Info still hashes the text as given; the provider then is not declared
    }
    if (json && typeof json === 'object' && !Array.isArray(json))
      declared = effectiveKeyProvider(deploymentFrom(DSTACK_DEFAULTS, json as Record<string, unknown>));
  }
  if (given && declared && (given === 'none') !== (declared === 'none'))
    throw new InputError(
      `key provider ${given} contradicts the app-compose.json, which declares ${declared}: keys ` +
        `would ${given === 'none' ? 'change on every boot' : 'stay stable'} where the ` +
        `deployment's ${declared === 'none' ? 'change' : 'stay'}`,
    );
  return declared ?? given ?? 'kms';
}

function defaultAppCompose(appName: string | undefined, keyProvider: KeyProvider): string {
  return JSON.stringify({
    manifest_version: 2,
    name: appName ?? 'preflight-simulated-app',
    runner: 'docker-compose',
    kms_enabled: keyProvider === 'kms',
    key_provider: keyProvider,
  });
}

/** The socket's directory must exist; a stale socket is replaced, a live one or any other file is an error. */
async function checkSocketPath(path: string): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new InputError(
      `socket path is ${Buffer.byteLength(path)} bytes; unix sockets allow at most ${MAX_SOCKET_PATH}: ${path}`,
    );
  }
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InputError(`directory ${dir} for the socket does not exist`);
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new InputError(`${path} exists and is not a socket; refusing to replace it`);
  if (await socketAnswers(path)) throw new InputError(`${path}: another process is already listening on this socket`);
  rmSync(path, { force: true });
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

type UnsupportedCall = AgentOptions['onUnsupportedCall'];

function listen(
  service: AgentService,
  where: { path: string } | { port: number; host: string },
  onUnsupported: UnsupportedCall,
): Promise<Server> {
  const tcp = 'port' in where;
  const server = createServer((req, res) => void handleRequest(service, req, res, { tcp, onUnsupported }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Host names a request to the TCP listener may carry: loopback only, so a web page cannot reach it by DNS rebinding.
 */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

async function handleRequest(
  service: AgentService,
  req: IncomingMessage,
  res: ServerResponse,
  how: { tcp: boolean; onUnsupported: UnsupportedCall },
): Promise<void> {
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = asciiJson(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };
  try {
    if (how.tcp && !LOOPBACK_HOST.test(req.headers.host ?? ''))
      return reply(403, {
        error:
          `Host ${JSON.stringify((req.headers.host ?? '').slice(0, 100))} is not a loopback name (localhost, ` +
          `127.0.0.1, [::1]): refused`,
      });
    // Only POST runs a method: a GET a browser or a link prefetcher sends must not sign or derive anything.
    if (req.method !== 'POST') return reply(405, { error: 'methods are called with POST' }, { Allow: 'POST' });
    const path = (req.url ?? '/').split('?')[0]!;
    const route = service.routes[path];
    const raw = await readBody(req);
    // prpc answers every failed dispatch, an unknown method included, with HTTP 400 and {error}
    // (docs/platform.md#guest-agent): an app's error handling sees here what it sees in the CVM.
    if (!route) {
      const why = service.missing[path];
      if (why) {
        const method = path.slice(path.lastIndexOf('/') + 1).replace(/^(?:DstackGuest|Tappd)\./, '');
        how.onUnsupported?.({ method, why });
        return reply(400, { error: `${method} is not served by the simulated dstack OS: ${why} (--os-version)` });
      }
      return reply(400, { error: `no such method: ${(req.url ?? '').slice(0, 100)}` });
    }
    let body: unknown = {};
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        return reply(400, { error: 'request body is not valid JSON' });
      }
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return reply(400, { error: 'request body must be a JSON object' });
    return reply(200, route(body as Record<string, unknown>));
  } catch (err) {
    if (err instanceof RpcError) return reply(400, { error: err.message });
    return reply(500, { error: `internal error: ${(err as Error).message?.split('\n')[0] ?? 'unknown'}` });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new RpcError('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
