/** Local stand-in of the dstack guest agent (see docs/agent.md). */
export { startAgent, parseAppId, DEFAULT_APP_ID, type AgentOptions, type AgentHandle } from './server.js';
export { startAgentForDrill, AGENT_SOCKET_TARGETS, type AgentForDrill, type AgentForDrillOptions } from './drill.js';
export { compareKeyLogs, parseKeyLog, type KeyLogEntry, type KeyChange } from './keylog.js';
export { recoverChainRoot } from './keys.js';
export { QUOTE_MARKER, ATTESTATION_MARKER, REPORT_DATA_OFFSET, isSimulatedQuote, quoteReportData } from './quote.js';
export { AGENT_REV, MAX_RUNTIME_EVENTS, keyProviderInfo, type KeyProvider } from './service.js';
export { CURRENT_OS_VERSION, METHOD_VERSIONS, parseOsVersion } from './os-version.js';
