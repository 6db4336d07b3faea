/** Structured JSON logs, one line per event, on stderr (stdout is the CLI's result channel). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/**
 * JSON.stringify escapes C0 controls but leaves DEL and C1 (U+009B is a CSI to many terminals) raw;
 * logged keys and file names come from uploaders and the CLIs log to a terminal, so those are escaped too.
 */
const RAW_CONTROLS = /[\x7f-\x9f]/g;
const write = (level: string, event: string, fields: LogFields = {}) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
  process.stderr.write(line.replace(RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n');
};

export const log: Logger = {
  info: (event, fields) => write('info', event, fields),
  warn: (event, fields) => write('warn', event, fields),
  error: (event, fields) => write('error', event, fields),
};

/** EMF records go to stdout as one JSON line; CloudWatch Logs extracts the metrics from them. */
export const emitMetrics = (record: Record<string, unknown>): void => {
  process.stdout.write(JSON.stringify(record) + '\n');
};

export const errorFields = (error: unknown): LogFields => {
  const e = error as { name?: string; code?: string; message?: string; detail?: unknown };
  return { error_name: e?.name, error_code: e?.code, error_message: e?.message, error_detail: e?.detail };
};
