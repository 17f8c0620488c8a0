/**
 * One execution told as a story, for `gupsim explain`: each scenario step with the kernel's
 * notable decisions under it (every event of a layer, `mm.*`, `gup.*`, ..., with the kernel
 * function that made it and the rule or reason it gives), its result, the expectations checked
 * and the checkers' reports, then the verdict. Event kinds this file does not know are shown
 * generically, so a new kind appears without a change here. Pure: the CLI adds colour.
 */
import { errnoName } from '../../kernel/include/errno.js';
import type { RunResult } from '../../sim/machine.js';
import type { TraceEvent } from '../../sim/trace.js';
import type { Verdict } from '../../sim/verdict.js';
import { hex } from './describe.js';
import type { ScenarioReport } from './results.js';

export type LineKind =
  'title' | 'step' | 'event' | 'why' | 'result' | 'ok' | 'fail' | 'switch' | 'verdict';

export interface NarrativeLine {
  readonly kind: LineKind;
  readonly text: string;
}

export interface NarrativeInput {
  readonly name: string;
  readonly description?: string | undefined;
  /** Historical kernel behaviours the run switched on. */
  readonly quirks?: readonly string[] | undefined;
  readonly result: RunResult;
  readonly threadNames: readonly string[];
  readonly report?: ScenarioReport | undefined;
  readonly verdict: Verdict;
  /** Show every event (locks taken and released, calls) rather than the notable ones. */
  readonly verbose?: boolean;
}

/** Argument keys shown as hex, and keys that explain a decision (shown on their own line). */
const HEX_KEYS = new Set(['addr', 'start', 'address', 'end', 'pfn', 'page', 'folio', 'head']);
const ERRNO_KEYS = new Set(['errno', 'ret', 'err', 'error']);
const WHY_KEYS = ['rule', 'why', 'reason'];
/** Kinds told elsewhere (switches, results) or never worth a line. */
const NEVER = new Set(['sched.switch', 'scenario.done', 'sched.start', 'sched.exit']);
/** Kinds that are bookkeeping, not decisions (shown with `verbose`). */
const QUIET = new Set([
  'sched.start',
  'sched.exit',
  'sched.switch',
  'call.enter',
  'call.exit',
  'lock.acquire',
  'lock.release',
  'scenario.done',
]);

function valueText(key: string, v: unknown): string {
  if (typeof v === 'number' && v >= 0 && (HEX_KEYS.has(key) || v >= 2 ** 32)) return hex(v);
  if (typeof v === 'number' && v < 0 && ERRNO_KEYS.has(key)) return errnoName(v);
  if (Array.isArray(v)) return `[${v.map((x) => valueText(key, x)).join(', ')}]`;
  if (typeof v === 'string') return /^[\w./:#+|-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? 'undefined';
}

/** Any event: `kind: k=v ...  (fn)`, then `why: ...` for its rule / why / reason. */
function genericLines(e: TraceEvent): NarrativeLine[] {
  const args = e.args as unknown as Record<string, unknown>;
  const plain = Object.keys(args).filter((k) => !WHY_KEYS.includes(k));
  const text = plain.map((k) => `${k}=${valueText(k, args[k])}`).join(' ');
  const fn = e.fn === undefined ? '' : `  (${e.fn})`;
  const lines: NarrativeLine[] = [
    { kind: 'event', text: `${e.kind}${text ? `: ${text}` : ''}${fn}` },
  ];
  for (const k of WHY_KEYS) {
    const v = args[k];
    if (typeof v === 'string' && v !== '') lines.push({ kind: 'why', text: `${k}: ${v}` });
  }
  return lines;
}

type Args = Record<string, unknown>;
const KNOWN: Readonly<Record<string, (a: Args, who: string) => NarrativeLine[]>> = {
  'check.expect': (a) => [
    {
      kind: a['ok'] ? 'ok' : 'fail',
      text: `${a['ok'] ? 'expectation holds' : 'expectation FAILED'}: ${a['message']}`,
    },
  ],
  'scenario.error': (a) => [{ kind: 'fail', text: `input error ${a['code']}: ${a['message']}` }],
  'sched.block': (a, who) => [{ kind: 'event', text: `${who} waits: ${a['on']}` }],
  'lock.contend': (a, who) => [
    {
      kind: 'event',
      text: `${who} waits for ${a['lock']} (${a['mode']}), held by ${valueText('', a['holders'])}`,
    },
  ],
  'sched.signal': (a) => [{ kind: 'event', text: `fatal signal sent to ${a['target']}` }],
  'sched.choice': (a) => [
    { kind: 'event', text: `choice '${a['label']}': ${a['value']} of ${a['n']}` },
  ],
  'lock.acquire': (a, who) => [{ kind: 'event', text: `${who} takes ${a['lock']} (${a['mode']})` }],
  'lock.release': (a, who) => [
    { kind: 'event', text: `${who} releases ${a['lock']} (${a['mode']})` },
  ],
  note: (a) => [{ kind: 'event', text: String(a['text']) }],
};

class Teller {
  readonly lines: NarrativeLine[] = [];
  /** The thread whose step the last lines belong to, and each thread's current step heading. */
  private shown = -2;
  private readonly headings = new Map<number, string>();
  /** The kind of each thread's previous event (a block right after a contention says nothing new). */
  private readonly previous = new Map<number, string>();
  /** Has any thread done something yet (machine events before that come before the threads)? */
  private running = false;
  /** Show bookkeeping events too: asked for, or a program without scenario steps to tell. */
  private readonly verbose: boolean;

  constructor(private readonly input: NarrativeInput) {
    const steps = input.result.trace.some((e) => e.kind === 'scenario.step');
    this.verbose = input.verbose === true || !steps;
  }

  who(e: TraceEvent): string {
    return e.thread < 0 ? 'the machine' : (this.input.threadNames[e.thread] ?? `t${e.thread}`);
  }

  add(kind: LineKind, text: string, indent = 0): void {
    this.lines.push({ kind, text: `${'  '.repeat(indent)}${text}` });
  }

  event(e: TraceEvent, next: TraceEvent | undefined): void {
    const before = this.previous.get(e.thread);
    this.previous.set(e.thread, e.kind);
    if (e.thread >= 0 && e.kind !== 'sched.start') this.running = true;
    const a = e.args as unknown as Args;
    if (e.kind === 'scenario.step') return this.stepStart(e, a);
    if (e.kind === 'scenario.done') return this.stepDone(e, a);
    if (e.kind === 'sched.switch') return this.switched(e, a);
    if (QUIET.has(e.kind) && (!this.verbose || NEVER.has(e.kind))) return;
    if (e.kind === 'sched.block' && (before === 'lock.contend' || next?.thread === e.thread)) {
      return; // said already, or it did not wait at all (the event had happened)
    }
    this.continueHeading(e);
    const render = KNOWN[e.kind];
    let out: NarrativeLine[];
    if (e.kind === 'check.violation') out = this.violation(a);
    else out = render !== undefined ? render(a, this.who(e)) : genericLines(e);
    for (const l of out) this.add(l.kind, l.text, l.kind === 'why' ? 3 : 2);
  }

  /** A preemption of a thread that is in the middle of the scenario is worth a line. */
  private switched(e: TraceEvent, a: Args): void {
    const from = this.input.threadNames.indexOf(String(a['from']));
    if (a['preempted'] !== true || !this.headings.has(from)) return;
    this.add('switch', `-- ${this.who(e)} runs; ${a['from']} is preempted --`);
    this.shown = -2;
  }

  /** A checker report, with the rule it enforces and its details, from the run's violations. */
  private violation(a: Args): NarrativeLine[] {
    const v = this.input.result.violations.find(
      (x) => x.id === a['id'] && x.message === a['message'],
    );
    const lines: NarrativeLine[] = [
      { kind: 'fail', text: `checker report [${a['id']}]: ${a['message']}` },
    ];
    if (v === undefined) return lines;
    const taken = v.where === undefined ? '' : `; taken at ${v.where}`;
    lines.push({ kind: 'why', text: `rule: ${v.rule}${taken}` });
    for (const d of v.details ?? []) lines.push({ kind: 'why', text: d });
    return lines;
  }

  private stepStart(e: TraceEvent, a: Args): void {
    const line = Number(a['line']) > 0 ? ` (line ${a['line']})` : '';
    const heading = `${this.who(e)}, step ${a['step']}${line}: ${a['op']} ${a['args']}`;
    this.headings.set(e.thread, `${this.who(e)}, step ${a['step']}`);
    this.add('step', heading);
    this.shown = e.thread;
  }

  private stepDone(e: TraceEvent, a: Args): void {
    this.continueHeading(e);
    const ret = Number(a['ret']);
    const retText = ret < 0 ? `${errnoName(ret)} (${ret})` : valueText('ret', ret);
    const bound = a['as'] === null ? '' : `; ${a['as']} = ${a['value']}`;
    this.add('result', `=> returned ${retText}${bound}`, 1);
  }

  /** When another thread's events come in the middle of a step, say whose step goes on. */
  private continueHeading(e: TraceEvent): void {
    if (e.thread === this.shown) return;
    const h = this.headings.get(e.thread);
    if (e.thread < 0)
      this.add('step', this.running ? 'at the end of the run:' : 'before the threads start:');
    else this.add('step', h === undefined ? `${this.who(e)}:` : `${h} (continued):`);
    this.shown = e.thread;
  }
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

function verdictLines(input: NarrativeInput): NarrativeLine[] {
  const { verdict, report, result } = input;
  const lines: NarrativeLine[] = [];
  if (report !== undefined && Object.keys(report.results).length > 0) {
    const text = Object.entries(report.results).map(
      ([k, v]) => `${k} = ${Array.isArray(v) ? `[${v.join(', ')}]` : v}`,
    );
    lines.push({ kind: 'result', text: `results: ${text.join(', ')}` });
  }
  if (!verdict.pass) {
    const status = result.status === 'done' ? '' : ` (${result.status})`;
    lines.push({ kind: 'verdict', text: `verdict: FAIL${status}, because:` });
    for (const r of verdict.reasons) lines.push({ kind: 'fail', text: `  ${r}` });
    return lines;
  }
  const held = report?.expectations.filter((x) => x.ok).length ?? 0;
  const expectations = held === 0 ? 'no expectations' : `${plural(held, 'expectation')} held`;
  const n = result.violations.length;
  const ids = [...new Set(result.violations.map((v) => v.id))].join(', ');
  const reports =
    n === 0
      ? 'no checker reported anything'
      : `the checkers reported what the scenario expects (${ids})`;
  lines.push({ kind: 'verdict', text: `verdict: PASS: ${expectations}; ${reports}` });
  return lines;
}

/** The narrative of one execution. */
export function narrate(input: NarrativeInput): NarrativeLine[] {
  const t = new Teller(input);
  const about = input.description ? `: ${input.description}` : '';
  t.add('title', `${input.name}${about}`);
  t.add('event', `threads: ${input.threadNames.join(', ')}; schedule: ${input.result.schedule}`, 1);
  const quirks = input.quirks ?? [];
  if (quirks.length > 0)
    t.add('why', `kernel quirks (historical behaviours): ${quirks.join(', ')}`, 1);
  const trace = input.result.trace;
  trace.forEach((e, i) => t.event(e, trace[i + 1]));
  t.lines.push(...verdictLines(input));
  return t.lines;
}
