/**
 * Text and JSON renderings of a run: the trace a person reads, and the machine-readable form.
 */
import type { RunResult } from './machine.js';
import type { TraceEvent } from './trace.js';
import type { Violation } from './violation.js';

export const TRACE_FORMAT = 'gupsim-trace';
export const TRACE_VERSION = 1;

function argText(e: TraceEvent): string {
  const a = e.args as unknown as Record<string, unknown>;
  return Object.keys(a)
    .map((k) => `${k}=${formatValue(a[k])}`)
    .join(' ');
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /^[\w./:#+-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(',')}]`;
  return JSON.stringify(v) ?? 'undefined';
}

/** One line per event: `step  thread  kind  args  (kernel function)`. */
export function renderTraceText(
  events: readonly TraceEvent[],
  threadNames: readonly string[],
): string {
  const lines: string[] = [];
  for (const e of events) {
    const who = e.thread >= 0 ? (threadNames[e.thread] ?? `t${e.thread}`) : '-';
    const fn =
      e.fn !== undefined && e.kind !== 'call.enter' && e.kind !== 'call.exit' ? `  (${e.fn})` : '';
    lines.push(
      `${String(e.step).padStart(6)}  ${who.padEnd(12)} ${e.kind.padEnd(18)} ${argText(e)}${fn}`,
    );
  }
  return lines.join('\n');
}

export function renderViolation(v: Violation): string {
  const head = `[${v.id}] ${v.message}`;
  const meta = `    thread ${v.thread ?? '-'}, step ${v.step}; rule: ${v.rule}${v.where !== undefined ? `; taken at ${v.where}` : ''}`;
  const more = (v.details ?? []).map((d) => `    ${d}`);
  return [head, meta, ...more].join('\n');
}

/** The trace as a versioned JSON document. */
export function traceJson(name: string, r: RunResult, threadNames: readonly string[]): object {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    program: name,
    schedule: r.schedule,
    status: r.status,
    threads: threadNames,
    events: r.trace,
    violations: r.violations,
  };
}
