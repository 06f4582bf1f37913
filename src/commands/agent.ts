export { type AgentHandle, type AgentOptions, startAgent } from '../agent/index.js';
