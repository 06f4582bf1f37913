export type { Gate, GateResult, GateTarget } from './types.js';
export { HttpGate } from './http.js';
export { CommandGate } from './command.js';
export { PrometheusGate } from './prometheus.js';
export {
  type GatePhase,
  type GateVerdict,
  type GateWatchOptions,
  makeGates,
  type RolloutClock,
  watchGates,
} from './watch.js';
