import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BIN } from './helpers.ts';

const WAIT_MS = 20_000;
const POLL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The CLI in a real pseudo-terminal: a tmux session of its own (own socket, so test files run in
 * parallel), typed into with send-keys and read with capture-pane, as a person would see it.
 */
export class Terminal {
  private constructor(private readonly socket: string) {}

  static start(args: string[], env: Record<string, string>): Terminal {
    const terminal = new Terminal(`kwtest-${process.pid}-${randomBytes(4).toString('hex')}`);
    const assignments = Object.entries({ NO_COLOR: '1', ...env }).map(([k, v]) => `${k}=${quote(v)}`);
    // `; sleep` keeps the pane (and what the command printed) after the command ends.
    const command = `env ${assignments.join(' ')} ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}; echo "[exit $?]"; sleep 600`;
    terminal.tmux('new-session', '-d', '-x', '200', '-y', '60', command);
    return terminal;
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** What the terminal shows now (wrapped lines joined). */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-200');
  }

  /** Types text (literally, no key names) and, unless told otherwise, Enter. */
  type(text: string, { enter = true } = {}): void {
    if (text) this.tmux('send-keys', '-l', text);
    if (enter) this.tmux('send-keys', 'Enter');
  }

  keys(...names: string[]): void {
    this.tmux('send-keys', ...names);
  }

  /** Waits until the screen shows `expected` `times` times; fails with the screen if it never does. */
  async waitFor(expected: string | RegExp, times = 1): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const screen = this.screen();
      const count =
        typeof expected === 'string'
          ? screen.split(expected).length - 1
          : (screen.match(new RegExp(expected.source, `${expected.flags.replace('g', '')}g`)) ?? []).length;
      if (count >= times) return screen;
      if (Date.now() > deadline)
        throw new Error(`the terminal never showed ${String(expected)} (${times}x); it shows:\n${screen}`);
      await sleep(POLL_MS);
    }
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
