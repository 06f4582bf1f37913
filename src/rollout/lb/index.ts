/**
 * Load balancer control for rollouts: take one instance out of rotation, put it back.
 * Implementations: a HAProxy the user runs (runtime API), a HAProxy Preflight runs for a local
 * rehearsal, and command hooks for any other balancer.
 */
export type {
  AdminState,
  DrainResult,
  EnableResult,
  LbInstance,
  LbInstanceState,
  LbState,
  LoadBalancer,
  OperationalState,
} from './types.js';
export { LoadBalancerError } from './types.js';
export {
  HaproxyRuntimeApi,
  type HaproxyApiOptions,
  type HaproxyServerStat,
  type HaproxyServerState,
  type RuntimeSocket,
} from './haproxy-api.js';
export { HaproxyBalancer, type HaproxyBalancerOptions, type HaproxyWaits } from './haproxy.js';
export {
  findHaproxy,
  haproxyVersion,
  parseHaproxyVersion,
  versionAtLeast,
  MIN_HAPROXY,
  type HaproxyVersion,
} from './haproxy-binary.js';
export {
  renderHaproxyConfig,
  type HaproxyConfigSpec,
  type HaproxyHealthCheck,
  type HaproxyTimeouts,
} from './haproxy-config.js';
export { ManagedHaproxy, startManagedHaproxy, type ManagedHaproxyOptions } from './haproxy-managed.js';
export { CommandHookBalancer, type HookBalancerOptions, type HookName, type HookRun } from './hooks.js';
export { HookTemplateError, parseHookTemplate, PLACEHOLDERS, shellQuote } from './hook-template.js';
