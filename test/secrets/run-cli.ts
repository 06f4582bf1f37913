/**
 * Runs `preflight …` in-process (spawning tsx per call is seconds each) and captures what the CLI
 * writes. The test runner reports over the same stdout with binary chunks; those pass through.
 */
import { main } from '../../src/cli/main.js';

export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = (stream: NodeJS.WriteStream, original: typeof out, append: (s: string) => void) =>
    function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      if (typeof chunk === 'string') {
        append(chunk);
        return true;
      }
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    } as typeof out;
  process.stdout.write = capture(process.stdout, out, (s) => (stdout += s));
  process.stderr.write = capture(process.stderr, err, (s) => (stderr += s));
  try {
    const code = await main(['node', 'preflight', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
