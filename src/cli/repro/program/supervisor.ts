/** The supervisor: setup, the processes present at start, exits, watching, the report. */
import { cString, processFn } from '../emit/index.js';
import { FS_DIRS } from '../needs.js';
import { bindingStep } from '../refusals.js';
import { contentsCapacity, indent, slotName, type Build } from './build.js';

export function supervisorExits(b: Build): string[] {
  const out: string[] = [];
  for (const block of b.plan.blocks.filter((x) => x.endsProcess)) {
    const step = block.steps.at(-1)!;
    const gone = step.ends ?? step.acting;
    out.push(
      `/* step ${step.turn}: process ${gone} exits; the next step starts once it is gone */`,
      `turn_wait(${step.turn});`,
      `await_exit((pid_t)S->b[${slotName(gone)}].value, ${cString(gone)});`,
      `turn_set(${step.turn + 1});`,
    );
  }
  return out;
}

export function slotsInit(b: Build): string[] {
  const out = ['for (int i = 0; i < NB; i++)', '\tS->b[i].first = -1;'];
  let first = 0;
  for (const binding of b.spec.bindings.values()) {
    const cap = contentsCapacity(b.spec, binding);
    if (cap === undefined) continue;
    const s = `S->b[${slotName(binding.name)}]`;
    out.push(`${s}.first = ${first}, ${s}.cap = ${cap};`);
    first += cap;
  }
  return out;
}

export function pagesTotal(b: Build): number {
  let total = 0;
  for (const binding of b.spec.bindings.values()) total += contentsCapacity(b.spec, binding) ?? 0;
  return Math.max(total, 1);
}

export function filesSetup(b: Build): string[] {
  const out: string[] = [];
  for (const fs of b.needs.fs) out.push(`fs_ready(&fs_${fs});`);
  for (const f of b.spec.files) {
    const hugetlb = f.fs === 'hugetlbfs' ? 1 : 0;
    out.push(`make_file(&fs_${f.fs}, ${cString(f.path)}, ${f.size}, ${f.fill}, ${hugetlb});`);
  }
  return out;
}

/** The pipes of vmsplice steps, made before any process starts so that every process has them. */
export function pipesSetup(b: Build): string[] {
  const out: string[] = [];
  for (const binding of b.spec.bindings.values()) {
    if (binding.kind !== 'pipe') continue;
    const length = bindingStep(b.spec, binding)?.args['length'] as number;
    out.push(`pipe_for(${slotName(binding.name)}, ${length});`);
  }
  return out;
}

export function fsDirs(b: Build): string[] {
  return b.needs.fs.map((fs) => {
    const d = FS_DIRS[fs];
    const fallback = d.fallback === undefined ? 'NULL' : cString(d.fallback);
    return `static struct fsdir fs_${fs} = { "${fs}", "${d.env}", ${fallback}, 0x${d.magic.toString(16)} };`;
  });
}

export function processTable(b: Build): string[] {
  const goneAt = new Map<string, number>();
  for (const s of b.plan.steps) if (s.ends !== undefined) goneAt.set(s.ends, s.turn);
  const rows = b.plan.processes.map(
    (p) => `\t{ ${slotName(p.name)}, ${goneAt.get(p.name) ?? 0}, -1 },`,
  );
  return [
    '/* Every scenario process, the step that ends it (0: the end), and a pidfd to watch it. */',
    'static struct { int slot; uint32_t gone; int pidfd; } procs[] = {',
    ...rows,
    '};',
    '',
    '/* The supervisor, while it waits: a process that ended before its time stops the program. */',
    'static void watch(void)',
    '{',
    '\tfor (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {',
    '\t\tstruct slot *s = &S->b[procs[i].slot];',
    '\t\tstruct pollfd p = { .fd = procs[i].pidfd, .events = POLLIN };',
    '\t\tuint32_t turn;',
    '',
    '\t\tif (!s->bound || s->value <= 0)',
    '\t\t\tcontinue;',
    '\t\tif (procs[i].pidfd < 0)',
    '\t\t\tp.fd = procs[i].pidfd = pidfd_of((pid_t)s->value);',
    '\t\tif (p.fd < 0 || poll(&p, 1, 0) != 1)',
    '\t\t\tcontinue;',
    '\t\tturn = __atomic_load_n(&S->turn, __ATOMIC_ACQUIRE);',
    '\t\tif (turn >= END_TURN || (procs[i].gone && turn >= procs[i].gone))',
    '\t\t\tcontinue;',
    '\t\tbail("process %s (pid %d) ended unexpectedly before step %u", bound_name[procs[i].slot],',
    '\t\t     (int)s->value, turn);',
    '\t}',
    '}',
    '',
  ];
}

export function reportFunction(b: Build): string[] {
  const lines = [...b.spec.bindings.values()].map(
    (x) => `json_bound(${slotName(x.name)}, ${x.kind === 'address' ? 1 : 0});`,
  );
  return [
    '/* The TAP plan, then the bound names as one JSON object. */',
    'static void report(void)',
    '{',
    '\tsay("1..%d", S->tap_count);',
    '\tjput("{");',
    ...indent(lines),
    '\tjput("}");',
    '\tsay("%s", json);',
    '}',
    '',
    '/* A process bailed out: report what ran, exit 2. */',
    'static void report_broken(void)',
    '{',
    '\treport();',
    '\t_exit(2);',
    '}',
    '',
  ];
}

export function mainFunction(b: Build): string[] {
  const starts = b.plan.processes
    .filter((p) => p.initial)
    .flatMap((p) => [
      `pid = fork();`,
      `if (pid < 0)`,
      `\tbail("fork: %s", strerror(errno));`,
      `if (pid == 0)`,
      `\t${processFn(p.name)}();`,
      `bind(${slotName(p.name)}, pid, pid);`,
    ]);
  const done = b.needs.fs.map((fs) => `fs_done(&fs_${fs});`);
  return [
    '/* The supervisor: sets up, starts the processes present at start, waits for exits, reports. */',
    'int main(void)',
    '{',
    '\tpid_t pid;',
    '',
    '\thost_ready();',
    '\tS = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);',
    '\tif (S == MAP_FAILED)',
    '\t\tbail("mmap of the shared state: %s", strerror(errno));',
    ...indent(slotsInit(b)),
    '\tcatch_faults();',
    '\tprctl(PR_SET_CHILD_SUBREAPER, 1);',
    ...indent(filesSetup(b)),
    ...indent(pipesSetup(b)),
    `\tdiag("%s: %d steps, in the order of %s", ${cString(b.spec.id)}, END_TURN - 1, ${cString(b.order.source)});`,
    ...indent(starts),
    '\tturn_watch = watch;',
    '\tturn_broken = report_broken;',
    '\tturn_set(1);',
    ...indent(supervisorExits(b)),
    '\tturn_wait(END_TURN);',
    '\tturn_watch = NULL;',
    '\treport();',
    '\tfor (uint64_t until = now_ns() + 5000000000ULL; now_ns() < until;)',
    '\t\tif (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)',
    '\t\t\tbreak;',
    ...indent(done),
    '\treturn S->tap_failed ? 1 : 0;',
    '}',
  ];
}
