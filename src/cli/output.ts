import { writeFileSync } from 'node:fs';

/** A report goes to `--output FILE` when given, else to stdout. */
export function writeReport(text: string, file: string | undefined): void {
  if (file) writeFileSync(file, text);
  else process.stdout.write(text);
}
