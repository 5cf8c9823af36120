/**
 * A progress line for long runs: rewritten in place on a terminal, one line every few seconds
 * otherwise (CI logs).
 */
export class Progress {
  private lastLine = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly label: string, private readonly everyMs = 2000) {}

  update(fields: Record<string, string | number>): void {
    const text = `${this.label} ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v}`).join(' ')}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${text}`);
    } else if (Date.now() - this.lastLine >= this.everyMs) {
      process.stderr.write(`${text}\n`);
      this.lastLine = Date.now();
    }
  }

  done(message = 'done'): void {
    process.stderr.write(this.tty ? `\r\x1b[2K${this.label} ${message}\n` : `${this.label} ${message}\n`);
  }
}
