import type { Project } from '../../compose/project.js';

/**
 * A reading of a `pre_launch_script` good enough for rules: the code of each line with comments,
 * single-quoted text and quoted here-documents blanked out (nothing in them expands), so what is
 * left is what bash expands and runs. Not a parser: rules built on it stay quiet when unsure.
 */
export interface CodeLine {
  /** 1-based line in the script. */
  line: number;
  code: string;
}

export function codeLines(script: string): CodeLine[] {
  const out: CodeLine[] = [];
  const lines = script.split('\n');
  let quote: "'" | '"' | undefined;
  let heredoc: { delimiter: string; expands: boolean; strip: boolean } | undefined;
  const pending: { delimiter: string; expands: boolean; strip: boolean }[] = [];
  lines.forEach((text, i) => {
    if (heredoc) {
      const body = heredoc.strip ? text.replace(/^\t+/, '') : text;
      if (body === heredoc.delimiter) heredoc = pending.shift();
      else out.push({ line: i + 1, code: heredoc.expands ? text : '' });
      return;
    }
    let code = '';
    for (let j = 0; j < text.length; j++) {
      const c = text[j]!;
      if (quote === "'") {
        if (c === "'") quote = undefined;
        code += ' ';
        continue;
      }
      if (c === '\\' && j + 1 < text.length) {
        code += '  ';
        j++;
        continue;
      }
      if (quote === '"') {
        if (c === '"') quote = undefined;
        code += c;
        continue;
      }
      if (c === "'") {
        quote = "'";
        code += ' ';
        continue;
      }
      if (c === '"') quote = '"';
      if (c === '#' && (j === 0 || /[\s;&|(]/.test(text[j - 1]!))) break;
      const here = /^<<(-?)\s*(['"]?)([A-Za-z_][\w-]*)\2/.exec(text.slice(j));
      if (here && text[j + 2] !== '<') {
        pending.push({ delimiter: here[3]!, expands: here[2] === '', strip: here[1] === '-' });
        code += here[0];
        j += here[0].length - 1;
        continue;
      }
      code += c;
    }
    // A single-quoted string that goes on to the next line stays blank there.
    out.push({ line: i + 1, code });
    if (!quote && pending.length) heredoc = pending.shift();
  });
  return out;
}

/** A `$NAME` or `${NAME…}` the shell expands, and whether it says what to do when NAME is unset. */
export interface VarUse {
  name: string;
  line: number;
  /** `${NAME:-…}`, `${NAME-…}`, `${NAME:=…}`, `${NAME:?…}`, `${NAME:+…}` and their colon-less forms. */
  guarded: boolean;
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const BRACED = new RegExp(`\\$\\{(#|!)?(${NAME})(\\[[^\\]]*\\])?([^}]*)\\}`, 'g');
const PLAIN = new RegExp(`\\$(${NAME})`, 'g');

export function variableUses(lines: readonly CodeLine[]): VarUse[] {
  const out: VarUse[] = [];
  for (const { line, code } of lines) {
    for (const m of code.matchAll(BRACED)) {
      if (m[1] === '!') continue; // indirect: the name it reads is not written here
      out.push({ name: m[2]!, line, guarded: m[1] !== '#' && /^:?[-=?+]/.test(m[4]!) });
    }
    for (const m of code.replace(BRACED, ' ').matchAll(PLAIN)) out.push({ name: m[1]!, line, guarded: false });
  }
  return out;
}

/** Names the script itself sets (assignments, `read`, `for`, `getopts`, `local`…), anywhere in it. */
export function assignedNames(lines: readonly CodeLine[]): Set<string> {
  const names = new Set<string>();
  const add = (list: string) => {
    for (const w of list.trim().split(/\s+/)) if (new RegExp(`^${NAME}$`).test(w)) names.add(w);
  };
  for (const { code } of lines) {
    for (const m of code.matchAll(new RegExp(`(?:^|[\\s;&|(])(${NAME})(?:\\[[^\\]]*\\])?\\+?=`, 'g'))) names.add(m[1]!);
    for (const m of code.matchAll(
      new RegExp(`\\b(?:local|declare|typeset|readonly|export)((?:\\s+-\\w+)*)((?:\\s+${NAME}(?:=\\S*)?)+)`, 'g'),
    ))
      add(m[2]!.replace(/=\S*/g, ''));
    for (const m of code.matchAll(new RegExp(`\\b(?:for|select)\\s+(${NAME})\\s+in\\b`, 'g'))) names.add(m[1]!);
    for (const m of code.matchAll(/\bread((?:\s+-[a-zA-Z]+(?:\s+(?!-)\S+)?)*)((?:\s+[A-Za-z_]\w*)+)/g)) add(m[2]!);
    for (const m of code.matchAll(new RegExp(`\\bgetopts\\s+\\S+\\s+(${NAME})`, 'g'))) names.add(m[1]!);
    for (const m of code.matchAll(new RegExp(`\\b(?:mapfile|readarray)(?:\\s+-\\w+(?:\\s+\\S+)?)*\\s+(${NAME})`, 'g')))
      names.add(m[1]!);
    for (const m of code.matchAll(new RegExp(`\\bprintf\\s+-v\\s+(${NAME})`, 'g'))) names.add(m[1]!);
    for (const m of code.matchAll(new RegExp(`\\[\\[?\\s+-v\\s+(${NAME})`, 'g'))) names.add(m[1]!);
  }
  return names;
}

/**
 * Whether the script brings in names it does not write itself (`source`/`.` of a file, `eval`,
 * `export $(…)`): then which names are set cannot be read from the text.
 */
export function importsNames(lines: readonly CodeLine[]): boolean {
  return lines.some(({ code }) => /(?:^|[\s;&|(])(?:source|\.|eval)\s+\S|\bexport\s+\$\(/.test(code));
}

/** The first line that turns on `nounset` (`set -u`, `set -euo pipefail`, `set -o nounset`), if any. */
export function nounsetLine(lines: readonly CodeLine[]): number | undefined {
  return lines.find(({ code }) => /(?:^|[\s;&|])set\s+(?:-[a-zA-Z]*u[a-zA-Z]*\b|.*-o\s+nounset\b)/.test(code))?.line;
}

/** `docker compose [flags] pull`, `docker-compose [flags] pull`, or `docker [image] pull`. */
const PULLS = new RegExp(
  String.raw`\bdocker(?:-compose|\s+compose)\b(?:\s+(?:-\S+(?:\s+(?!pull\b)[^\s-]\S*)?))*\s+pull\b` +
    String.raw`|\bdocker\s+(?:image\s+)?pull\b`,
);

/** Whether the script pulls images (`docker compose pull`, `docker-compose pull`, `docker pull`). */
export function pullsImages(script: string): boolean {
  return codeLines(script).some(({ code }) => PULLS.test(code));
}

/**
 * Whether a boot pulls the compose file's images again: Phala Cloud's default pre-launch script
 * does (`docker compose pull` since v0.0.15, docs/platform.md#pre-launch-script), dstack's own
 * `compose up` does not, and a custom script does when it says so.
 */
export function pullsAtBoot(project: Project): boolean {
  const d = project.deployment;
  const script = d.settings.pre_launch_script;
  if (script !== undefined && script.trim() !== '') return pullsImages(script);
  // No script in an app-compose.json: dstack runs none. Otherwise the deployment is Phala Cloud's, with its default
  // script.
  return d.source !== 'app-compose.json';
}
