// The CLI from source, for tests that need a separate process (signals, exit codes).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
