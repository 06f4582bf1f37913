export { type AgentHandle, type AgentOptions, CURRENT_OS_VERSION, startAgent } from '../agent/index.js';
