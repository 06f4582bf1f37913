/**
 * The load balancer a rollout drives, one instance at a time: take an instance out of rotation
 * before it is upgraded (`drain`), put it back once its gates hold (`enable`).
 */

/** One instance of the fleet as the balancer knows it. */
export interface LbInstance {
  /** Stable id the rollout uses (CVM id, or `local-1` …). */
  id: string;
  /** Human name, when there is one (CVM name); templates fall back to the id. */
  name?: string;
  /** The instance's own URL (where the balancer sends its traffic), e.g. `http://127.0.0.1:8080`. */
  url: string;
}

/** What `drain` established. A timed-out drain is reported, not thrown: the rollout decides. */
export interface DrainResult {
  instance: string;
  /**
   * True when the instance gets no new requests and none is in flight any more. False when the
   * bounded wait ended first: `inFlight` requests were still being served.
   */
  drained: boolean;
  /**
   * How completion was established. `sessions`: the balancer's own count of the server's current
   * sessions and queued requests was observed at 0. `hook`: a drain command exited 0; the command
   * is responsible for waiting, Preflight cannot see in-flight requests.
   */
  evidence: 'sessions' | 'hook';
  /** Time from the drain command to completion (or to the end of the wait). */
  waitedMs: number;
  /** Requests still in flight when the wait ended; 0 when drained; undefined when unknown (hooks). */
  inFlight?: number;
}

/** What `enable` established. */
export interface EnableResult {
  instance: string;
  /** Time until the balancer reported the server able to take traffic (for hooks: the command's run time). */
  waitedMs: number;
}

/** Administrative state Preflight set: in rotation, draining, or out (maintenance). */
export type AdminState = 'ready' | 'drain' | 'maint';
/** What the balancer says about the server's health; `unknown` when it cannot say (hooks). */
export type OperationalState = 'up' | 'down' | 'unknown';

export interface LbInstanceState {
  instance: string;
  /** The balancer's name for it (HAProxy server name); for hooks the instance id. */
  server: string;
  admin: AdminState;
  operational: OperationalState;
  /** Requests being served now (HAProxy `scur`); undefined when unknown. */
  inFlight?: number;
  /** Requests waiting in the server's queue (HAProxy `qcur`); undefined when unknown. */
  queued?: number;
  /** `host:port` the balancer sends to, when it reports one. */
  address?: string;
  /** The balancer's raw status word (HAProxy `status`: `UP`, `DOWN 1/2`, `DRAIN`, `MAINT` …). */
  status?: string;
}

export interface LbState {
  instances: LbInstanceState[];
}

export interface LoadBalancer {
  /** Which kind of balancer this is, for reports (`haproxy`, `haproxy-managed`, `hooks`). */
  readonly kind: string;
  /**
   * Stop sending new requests to the instance, then wait (bounded) until its in-flight requests
   * finished. Resolves with what was established; rejects only when the balancer refused the command.
   */
  drain(instanceId: string): Promise<DrainResult>;
  /**
   * Put the instance back in rotation. Resolves once the balancer will send it traffic (for
   * HAProxy: the server reports UP); rejects when it does not within the bound.
   */
  enable(instanceId: string): Promise<EnableResult>;
  /** Current state of every instance the balancer was configured with. */
  state(): Promise<LbState>;
  /** Release what the balancer holds (a managed HAProxy is stopped). Idempotent. */
  close(): Promise<void>;
}

/** A balancer refused or failed a command. `message` is one line, naming the instance and the command. */
export class LoadBalancerError extends Error {
  constructor(
    message: string,
    readonly instance?: string,
  ) {
    super(message);
    this.name = 'LoadBalancerError';
  }
}

/** Look an instance up or fail naming it; every balancer rejects ids it was not configured with. */
export function requireKnown<T>(map: ReadonlyMap<string, T>, instanceId: string, kind: string): T {
  const found = map.get(instanceId);
  if (found === undefined) {
    const known = [...map.keys()].join(', ') || 'none';
    throw new LoadBalancerError(`${kind}: unknown instance '${instanceId}' (configured: ${known})`, instanceId);
  }
  return found;
}
