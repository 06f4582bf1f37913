export const TOOL_NAME = 'preflight';
export const VERSION = '0.1.0';
