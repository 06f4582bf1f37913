import { EXEC_PREFIXES, INIT_WRAPPERS, SHELLS } from '../../knowledge/process-init.js';

/**
 * Split a command string into words the way compose does for `command:`/`entrypoint:` strings
 * (go-shellwords: quotes and backslashes, no expansion). Compose never runs these strings through a shell.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      if (next !== '\n') {
        cur += next;
        inWord = true;
      }
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** One word of a container's argv and where it is written. */
export interface ArgWord {
  word: string;
  key: 'entrypoint' | 'command';
  /** Index in the list when the key is a list; undefined when it is a string. */
  index?: number;
}

/** The words of `entrypoint`/`command` as written (string forms split like compose does). */
export function argWords(value: string | string[] | null | undefined, key: ArgWord['key']): ArgWord[] {
  if (value == null) return [];
  if (Array.isArray(value)) return value.map((w, index) => ({ word: String(w), key, index }));
  return shellWords(value).map((word) => ({ word, key }));
}

/** The last path segment of a program (`/usr/bin/bash` → `bash`). */
export function programName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** What runs as PID 1, as far as the compose file shows it. */
export type Pid1 =
  | { kind: 'init'; program: string }
  | { kind: 'shell-script'; shell: string; script: ArgWord }
  | { kind: 'other' };

/**
 * Follow the argv past programs that exec their arguments (`env`, `gosu user`) to what becomes PID 1:
 * an init wrapper, a shell running a `-c` script, or something else (including a script file we cannot see).
 */
export function pid1Of(argv: ArgWord[]): Pid1 {
  let i = 0;
  for (;;) {
    const w = argv[i];
    if (!w) return { kind: 'other' };
    const name = programName(w.word);
    const prefix = EXEC_PREFIXES.find((p) => p.program === name);
    if (!prefix) break;
    i++;
    if (name === 'env')
      while (argv[i] && (/^-/.test(argv[i]!.word) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!.word))) i++;
    i += prefix.fixedArgs;
  }
  const program = programName(argv[i]!.word);
  if (INIT_WRAPPERS.includes(program)) return { kind: 'init', program };
  if (!SHELLS.includes(program)) return { kind: 'other' };
  i++;
  if (program === 'busybox') {
    if (!SHELLS.includes(argv[i]?.word ?? '')) return { kind: 'other' };
    i++;
  }
  let sawC = false;
  for (; i < argv.length; i++) {
    const w = argv[i]!.word;
    if (w === '--' && !sawC) continue;
    if (/^[-+][A-Za-z]+$/.test(w)) {
      if (w.slice(1).includes('c')) sawC = true;
      // `-o pipefail`, `-euo pipefail`: the option name is the next word.
      if (w.endsWith('o')) i++;
      continue;
    }
    if (/^--[a-z-]+$/.test(w)) continue;
    return sawC ? { kind: 'shell-script', shell: program, script: argv[i]! } : { kind: 'other' };
  }
  return { kind: 'other' };
}

export interface ScriptShape {
  /** The script's top-level commands, in order. */
  commands: string[];
  /** The separator before the last command (`;`, `&&`, `||`, `|`, `&`, newline), if any. */
  lastSeparator?: string;
  /** The script ends by `exec`-ing its last command, so that command becomes PID 1. */
  execsLast: boolean;
  /** The script installs a signal trap (it handles SIGTERM itself). */
  traps: boolean;
  /**
   * A single simple command: bash, dash (≥ 0.5.11) and BusyBox ash exec it directly instead of forking,
   * so it becomes PID 1 anyway.
   */
  singleSimpleCommand: boolean;
}

const COMPOUND = /^(while|until|for|if|case|select|function)\b|^[({]/;

/** Split a `-c` script into its top-level commands (quotes, `$(…)`, backticks and comments respected). */
export function scriptShape(script: string): ScriptShape {
  const commands: string[] = [];
  const separators: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let depth = 0;
  const push = (sep: string) => {
    if (cur.trim()) {
      commands.push(cur.trim());
      separators.push(sep);
    } else if (commands.length && sep && sep !== '\n' && sep !== ';') separators[separators.length - 1] = sep;
    cur = '';
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    const next = script[i + 1];
    if (quote) {
      if (c === '\\' && quote !== "'") {
        cur += c + (next ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
      cur += c;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      quote = c;
      cur += c;
      continue;
    }
    if (c === '\\') {
      if (next !== '\n') cur += c + (next ?? '');
      else cur += ' ';
      i++;
      continue;
    }
    if (c === '#' && (cur === '' || /\s$/.test(cur))) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '(' || c === '{') depth++;
    if ((c === ')' || c === '}') && depth > 0) depth--;
    if (depth > 0) {
      cur += c;
      continue;
    }
    if ((c === '&' || c === '|') && next === c) {
      push(c + c);
      i++;
    } else if (c === ';' || c === '\n' || c === '|' || (c === '&' && next !== '>' && script[i - 1] !== '>')) {
      push(c);
    } else cur += c;
  }
  push('');
  // separators[k] is the one after commands[k]; the one before the last command is separators[n-2].
  const lastSeparator = commands.length > 1 ? separators[commands.length - 2] : undefined;
  const last = commands[commands.length - 1] ?? '';
  const endsInBackground = separators[commands.length - 1] === '&';
  return {
    commands,
    lastSeparator,
    execsLast: /^exec(\s|$)/.test(last) && lastSeparator !== '|' && !endsInBackground,
    traps: commands.some((cmd) => /^trap\s/.test(cmd)),
    singleSimpleCommand: commands.length === 1 && !endsInBackground && !COMPOUND.test(last),
  };
}
