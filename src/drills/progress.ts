import ora, { type Ora } from 'ora';
import { formatMs } from '../util/format-ms.js';

/** What the drill tells the person watching: the current step, and each finished step. */
export interface Progress {
  step(text: string): void;
  done(text: string, ok: boolean): void;
  note(text: string): void;
  stop(): void;
}

/** A spinner with the current step and its elapsed time on a TTY; plain lines otherwise (CI, pipes). */
export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  if (quiet) return { step() {}, done() {}, note() {}, stop() {} };
  if (stream.isTTY && !process.env.CI) return new SpinnerProgress(stream);
  return new LineProgress(stream);
}

class SpinnerProgress implements Progress {
  private spinner: Ora;
  private text = '';
  private since = performance.now();
  private tick: NodeJS.Timeout;

  constructor(stream: NodeJS.WriteStream) {
    this.spinner = ora({ stream, discardStdin: false }).start();
    this.tick = setInterval(() => this.render(), 500);
    this.tick.unref();
  }

  private render(): void {
    this.spinner.text = `${this.text} (${formatMs(performance.now() - this.since)})`;
  }

  step(text: string): void {
    this.text = text;
    this.since = performance.now();
    this.render();
  }

  done(text: string, ok: boolean): void {
    if (ok) this.spinner.succeed(text);
    else this.spinner.fail(text);
    this.spinner = this.spinner.start(this.text);
  }

  note(text: string): void {
    this.spinner.info(text);
    this.spinner = this.spinner.start(this.text);
  }

  stop(): void {
    clearInterval(this.tick);
    this.spinner.stop();
  }
}

class LineProgress implements Progress {
  private started = performance.now();
  constructor(private readonly stream: NodeJS.WriteStream) {}
  private line(mark: string, text: string): void {
    this.stream.write(`[drill ${formatMs(performance.now() - this.started).padStart(6)}] ${mark} ${text}\n`);
  }
  step(text: string): void {
    this.line('…', text);
  }
  done(text: string, ok: boolean): void {
    this.line(ok ? '✓' : '✗', text);
  }
  note(text: string): void {
    this.line('i', text);
  }
  stop(): void {}
}
