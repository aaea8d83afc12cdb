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

const settings: LoggerSettings = {
  level: 'INFO',
  format: 'text',
  write: (line) => process.stdout.write(line + '\n'),
  now: () => Date.now(),
};

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
    line = JSON.stringify({ ts, level, component, msg: message, ...(fields ?? {}) });
  } else {
    const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
    line = `${ts} ${level.padEnd(7)} [${component}] ${message}${extra}`;
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
