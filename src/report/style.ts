/** ANSI styling, applied only when the output is a colour terminal. */
export interface Style {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const COLOUR: Style = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
  green: wrap(32, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};
const id = (s: string) => s;
export const PLAIN: Style = { red: id, yellow: id, blue: id, green: id, dim: id, bold: id };

/** Colour on a TTY unless NO_COLOR is set; FORCE_COLOR forces it. */
export function styleFor(stream: NodeJS.WriteStream): Style {
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return COLOUR;
  if (process.env.NO_COLOR !== undefined) return PLAIN;
  return stream.isTTY ? COLOUR : PLAIN;
}
