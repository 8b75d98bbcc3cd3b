import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One line a server process wrote: its pino JSON object, or `{ msg }` for a plain line (the start banner). */
export interface LogLine {
  time: number;
  level?: number;
  msg?: string;
  event?: string;
  [key: string]: unknown;
}

export interface ServerProcessSpec {
  /** p1, p2, ...: how the cluster names it in what it prints. */
  name: string;
  port: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Every line it writes (stdout and stderr), as it arrives. */
  onLine?: (line: LogLine) => void;
  /** Keep at most this many lines in memory (default 20,000). */
  maxLines?: number;
}

/**
 * One real Switchboard server (`node --import tsx bot/main.ts`) of the cluster, on its own port. The handle can send
 * it signals (`kill -9`, `kill -STOP`, `kill -CONT`) and start it again on the same port.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<void> = Promise.resolve();
  private stoppedBySignal = false;
  readonly lines: LogLine[] = [];

  constructor(private readonly spec: ServerProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get port(): number {
    return this.spec.port;
  }

  /** The pid of the running process; undefined once it exited. */
  get pid(): number | undefined {
    return this.alive ? this.child?.pid : undefined;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Frozen with SIGSTOP and not continued yet. */
  get frozen(): boolean {
    return this.alive && this.stoppedBySignal;
  }

  /** Resolves when the process has exited (at once if it is not running). */
  get exited(): Promise<void> {
    return this.exitPromise;
  }

  start(): void {
    if (this.alive) throw new Error(`${this.name} is already running`);
    this.stoppedBySignal = false;
    const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (text) => this.take(text));
  }

  private take(text: string): void {
    let line: LogLine;
    try {
      const parsed = JSON.parse(text) as unknown;
      line =
        typeof parsed === 'object' && parsed !== null
          ? ({ time: Date.now(), ...parsed } as LogLine)
          : { time: Date.now(), msg: text };
    } catch {
      line = { time: Date.now(), msg: text };
    }
    this.lines.push(line);
    const max = this.spec.maxLines ?? 20_000;
    if (this.lines.length > max) this.lines.splice(0, this.lines.length - max);
    this.spec.onLine?.(line);
  }

  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT, SIGTERM); answers when it was sent. */
  signal(sig: NodeJS.Signals): void {
    if (!this.alive) throw new Error(`${this.name} is not running`);
    this.child!.kill(sig);
    if (sig === 'SIGSTOP') this.stoppedBySignal = true;
    if (sig === 'SIGCONT') this.stoppedBySignal = false;
  }

  /** Resolves once GET /healthz answers 200. */
  async ready(timeoutMs = 180_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`${this.name} exited while starting:\n${this.tail()}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`${this.name} did not become healthy:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops it: SIGTERM (a clean stop releases its lease), SIGKILL after `graceMs`. A frozen process is continued first. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    if (this.stoppedBySignal) this.signal('SIGCONT');
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Stops it if it runs, starts it again on the same port and waits until it is healthy. */
  async restart(): Promise<void> {
    await this.stop();
    this.start();
    await this.ready();
  }

  /** The last lines, for an error message. */
  tail(n = 20): string {
    return this.lines
      .slice(-n)
      .map((l) => (l.event ? `${l.event}: ${l.msg ?? ''}` : (l.msg ?? JSON.stringify(l))))
      .join('\n');
  }
}
