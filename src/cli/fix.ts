import type { Command } from 'commander';
import type { SetExit } from './main.js';

// Placeholder until the command lands: registers nothing.
export function registerFix(_program: Command, _setExit: SetExit): void {}
