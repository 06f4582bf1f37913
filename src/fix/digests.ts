import { InputError, UsageError } from '../util/errors.js';
import { readInputFile } from '../util/read-file.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** An image digest lock is a short list; anything far larger is not one. */
const MAX_LOCK_BYTES = 1 << 20;

/** `--digest IMAGE=sha256:…`, repeatable: the image as the compose file writes it → its digest. */
export function parseDigestFlags(flags: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const flag of flags) {
    const [image, digest] = splitPin(flag);
    if (!image || !digest || !DIGEST.test(digest))
      throw new UsageError(`--digest ${flag}: expected IMAGE=sha256:<64 hex digits> (e.g. postgres:16.4=sha256:…)`);
    out.set(image, digest);
  }
  return out;
}

/**
 * A lock file of image digests: one `IMAGE=sha256:…` or `IMAGE@sha256:…` per line (what
 * `docker buildx imagetools inspect --format '{{.Name}}@{{.Manifest.Digest}}' IMAGE` prints), `#`
 * comments and blank lines ignored. A bad line is an input error naming the file and line.
 */
export function readDigestLock(path: string, display = path): Map<string, string> {
  const out = new Map<string, string>();
  const text = readInputFile(path, { display, what: 'digest lock file', maxBytes: MAX_LOCK_BYTES });
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [image, digest] = splitPin(line);
    if (!image || !digest || !DIGEST.test(digest))
      throw new InputError('expected IMAGE=sha256:<64 hex digits> or IMAGE@sha256:<64 hex digits>', {
        file: display,
        line: i + 1,
      });
    out.set(image, digest);
  });
  return out;
}

function splitPin(text: string): [string | undefined, string | undefined] {
  const at = text.lastIndexOf('@sha256:');
  if (at > 0) return [text.slice(0, at), text.slice(at + 1)];
  const eq = text.lastIndexOf('=');
  return eq > 0 ? [text.slice(0, eq), text.slice(eq + 1)] : [undefined, undefined];
}
