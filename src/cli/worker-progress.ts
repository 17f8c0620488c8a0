/**
 * The progress bar of an exploration (stderr, only on a terminal): coverage, executions and
 * executions per second. Executions are counted in shared memory, so worker threads add to the
 * same counter as this thread.
 */
import cliProgress from 'cli-progress';

export class Progress {
  /** Slot 0: executions so far (shared with the workers). */
  readonly counter = new SharedArrayBuffer(4);
  private readonly count = new Int32Array(this.counter);
  private readonly bar: cliProgress.SingleBar | null;
  private readonly t0 = Date.now();
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastDraw = 0;
  private coverage = 0;

  constructor(
    enabled: boolean,
    private readonly label: string,
  ) {
    this.bar = enabled
      ? new cliProgress.SingleBar(
          {
            format: `${label} {bar} {percentage}% covered | {executions} executions | {rate}/s`,
            stream: process.stderr,
            noTTYOutput: false,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  }

  get executions(): number {
    return Atomics.load(this.count, 0);
  }

  start(): void {
    this.bar?.start(100, 0, { executions: 0, rate: 0 });
    if (this.bar !== null) this.timer = setInterval(() => this.draw(), 200);
  }

  /** One execution in this thread; redraws now and then (the thread may be busy for long). */
  tick = (): void => {
    if ((Atomics.add(this.count, 0, 1) & 1023) === 0 && Date.now() - this.lastDraw > 200)
      this.draw();
  };

  /** The share of the space covered so far, in [0, 1]. */
  setCoverage(c: number): void {
    this.coverage = c;
    this.draw();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.bar?.stop();
  }

  private draw(): void {
    if (this.bar === null) return;
    this.lastDraw = Date.now();
    const n = this.executions;
    const rate = Math.round(n / Math.max(0.001, (this.lastDraw - this.t0) / 1000));
    this.bar.update(Math.floor(this.coverage * 100), { executions: n, rate });
  }
}
