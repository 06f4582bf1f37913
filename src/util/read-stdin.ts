import { InputError } from './errors.js';
import { formatBytes, MAX_INPUT_BYTES } from './read-file.js';

/** How findings and errors name a compose file read from standard input (`-f -`). */
export const STDIN_DISPLAY = '<stdin>';

/**
 * Standard input as UTF-8 text (`check -f -`), under the same cap as every file Preflight reads: more
 * than `maxBytes` stops the read with a one-line error instead of filling memory. A terminal is
 * refused: nothing would arrive until the user typed Ctrl-D, which looks like a hang.
 */
export async function readStdinText(
  stdin: NodeJS.ReadStream = process.stdin,
  maxBytes = MAX_INPUT_BYTES,
): Promise<string> {
  if (stdin.isTTY)
    throw new InputError('standard input is a terminal; pipe a compose file in (`… | preflight check -f -`)', {
      file: STDIN_DISPLAY,
    });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > maxBytes) {
      stdin.destroy();
      throw new InputError(`more than ${formatBytes(maxBytes)}; compose files over that are not read`, {
        file: STDIN_DISPLAY,
      });
    }
    chunks.push(buf);
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.includes(0)) throw new InputError('binary data, not a compose file', { file: STDIN_DISPLAY });
  return bytes.toString('utf8');
}
