// One line per event on stdout. Secrets registered with `registerSecret` are
// masked in every line, whoever logs it: a stray error message that echoes a
// request must never leak a key.

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
const ORDER: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 };

interface LoggerSettings {
  level: LogLevel;
  format: 'text' | 'json';
  write: (line: string) => void;
  now: () => number;
}

/** False once stdout failed (its reader went away): later lines are dropped instead of crashing the bot. */
let stdoutUsable = true;

function writeStdout(line: string): void {
  if (!stdoutUsable) return;
  try {
    process.stdout.write(line + '\n');
  } catch {
    stdoutUsable = false;
  }
}

/**
 * A dying `tee` or log shipper closes the pipe: Node then emits EPIPE as an
 * 'error' event on stdout, which is fatal when nobody listens. Trading and an
 * orderly shutdown matter more than the log, so the bot listens and goes on.
 */
export function guardStdout(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      if (stream === process.stdout) stdoutUsable = false;
    });
  }
}

const settings: LoggerSettings = {
  level: 'INFO',
  format: 'text',
  write: writeStdout,
  now: () => Date.now(),
};

/**
 * Control and bidirectional-override characters (from an AI answer, an error
 * echoed by a server…) would let one line disguise or split itself in a
 * terminal or log viewer; they are written as \u escapes.
 */
export function neutralize(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]|\n|\r/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

const secrets = new Set<string>();

/** Values that must never appear in output. Short values are ignored (they would mask ordinary words). */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  return out;
}

export function configureLogger(opts: Partial<LoggerSettings>): void {
  Object.assign(settings, opts);
}

export function parseLogLevel(raw: string): LogLevel | null {
  const up = raw.trim().toUpperCase();
  if (up === 'WARN') return 'WARNING';
  return up in ORDER ? (up as LogLevel) : null;
}

function emit(level: LogLevel, component: string, message: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < ORDER[settings.level]) return;
  const ts = new Date(settings.now()).toISOString();
  let line: string;
  if (settings.format === 'json') {
    line = neutralize(JSON.stringify({ ts, level, component, msg: message, ...(fields ?? {}) }));
  } else {
    const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
    line = `${ts} ${level.padEnd(7)} [${component}] ${neutralize(message)}${neutralize(extra)}`;
  }
  settings.write(redact(line));
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function logger(component: string): Logger {
  return {
    debug: (m, f) => emit('DEBUG', component, m, f),
    info: (m, f) => emit('INFO', component, m, f),
    warn: (m, f) => emit('WARNING', component, m, f),
    error: (m, f) => emit('ERROR', component, m, f),
  };
}

/** Message of an unknown thrown value, without stack traces. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
