// Runs the preflight CLI from source (the tests spawn `node --import tsx test/agent/run-cli.ts …`).
import { main } from '../../src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
