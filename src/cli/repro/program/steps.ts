/** The functions of the scenario's threads and processes: their blocks of steps, in turn order. */
import type { Step } from '../../../scenario/index.js';
import { cComment, EMITTERS, processFn, threadFn, type StepCx } from '../emit/index.js';
import { stepLabel } from '../order.js';
import type { Block, PlannedStep } from '../plan.js';
import { renderArgs } from '../render.js';
import { indent, slotName, type Build } from './build.js';

function stepCx(b: Build, planned: PlannedStep): StepCx {
  const step = planned.inst.step;
  return {
    spec: b.spec,
    step,
    planned,
    defs: b.defs,
    where: `${stepLabel(step)} (line ${step.pos.line})`,
    slot: slotName,
    bound: step.as === null ? undefined : slotName(step.as.name),
    need: (part) => b.parts.add(part),
    fsDir: (fs) => `&fs_${fs}`,
  };
}
function stepComment(step: Step, iteration: string): string {
  const args = renderArgs(step);
  return `/* ${stepLabel(step)}${iteration} (line ${step.pos.line}) ${step.op}: ${cComment(args)} */`;
}

function emitStep(b: Build, planned: PlannedStep, loop: boolean): string[] {
  const inst = planned.inst;
  const emitter = EMITTERS[inst.step.op];
  if (emitter === undefined) throw new Error(`no emitter for '${inst.step.op}'`);
  const body = emitter(stepCx(b, planned));
  const iteration = loop || inst.iterations.length === 0 ? '' : ` #${inst.iterations.join('.')}`;
  const comment = stepComment(inst.step, iteration);
  if (body.length === 1 && body[0]!.startsWith('/*')) return [comment];
  return [comment, '{', ...indent(body), '}'];
}

/** Leaf instances one run of these steps makes (repeat bodies counted out). */
function leafCount(steps: readonly Step[]): number {
  let n = 0;
  for (const s of steps)
    n +=
      s.op === 'repeat'
        ? (s.args['times'] as number) * leafCount(s.args['steps'] as readonly Step[])
        : 1;
  return n;
}

function samePrefix(a: PlannedStep, b: PlannedStep, depth: number): boolean {
  for (let d = 0; d < depth; d++)
    if (a.inst.iterations[d] !== b.inst.iterations[d] || a.inst.repeats[d] !== b.inst.repeats[d])
      return false;
  return true;
}

/** A block's steps; a repeat whose every iteration lies in the block becomes a for loop. */
function emitSeq(b: Build, steps: readonly PlannedStep[], depth: number, loop: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < steps.length;) {
    const first = steps[i]!;
    const repeat = first.inst.repeats[depth];
    if (repeat === undefined) {
      out.push(...emitStep(b, first, loop));
      i++;
      continue;
    }
    let j = i;
    while (
      j < steps.length &&
      steps[j]!.inst.repeats[depth] === repeat &&
      samePrefix(steps[j]!, first, depth)
    )
      j++;
    const run = steps.slice(i, j);
    const times = repeat.args['times'] as number;
    const per = leafCount(repeat.args['steps'] as readonly Step[]);
    if (run.length === times * per && first.inst.iterations[depth] === 0) {
      const v = `i${depth}`;
      out.push(
        `/* ${stepLabel(repeat)} (line ${repeat.pos.line}) repeat: ${times} times */`,
        `for (int ${v} = 0; ${v} < ${times}; ${v}++) {`,
        ...indent(emitSeq(b, run.slice(0, per), depth + 1, true)),
        '}',
      );
    } else {
      for (const s of run) out.push(...emitStep(b, s, false));
    }
    i = j;
  }
  return out;
}

function emitBlock(b: Build, block: Block): string[] {
  const first = block.steps[0]!;
  const last = block.steps.at(-1)!;
  const range =
    block.steps.length === 1 ? `step ${first.turn}` : `steps ${first.turn}-${last.turn}`;
  const tail = block.endsProcess ? [] : [`turn_set(${last.turn + 1});`];
  if (first.startTurn !== undefined) {
    // The first step waits in the kernel (a userfaultfd fault or read) while the steps of
    // turns startTurn..turn-1 run in other threads; it finishes in its own turn.
    return [
      `/* ${range}: step ${first.turn} starts at step ${first.startTurn} and waits in the kernel meanwhile */`,
      `turn_reach(${first.startTurn});`,
      ...emitSeq(b, [first], 0, false),
      `turn_wait(${first.turn});`,
      ...emitSeq(b, block.steps.slice(1), 0, false),
      ...tail,
    ];
  }
  return [
    `/* ${range} */`,
    `turn_wait(${first.turn});`,
    ...emitSeq(b, block.steps, 0, false),
    ...tail,
  ];
}

function blocksOf(b: Build, context: string): string[] {
  const out: string[] = [];
  for (const block of b.plan.blocks.filter((x) => x.context === context)) {
    if (out.length > 0) out.push('');
    out.push(...emitBlock(b, block));
  }
  return out;
}

/** Initial processes whose only thread runs on the process's main thread. */
function mainThreadOf(b: Build, process: string): string | undefined {
  const info = b.plan.processes.find((p) => p.name === process);
  if (info === undefined || info.threads.length !== 1) return undefined;
  const servant = b.plan.blocks.some((x) => x.context === `process ${process}`);
  return servant ? undefined : info.threads[0];
}

export function threadFunctions(b: Build): string[] {
  const out: string[] = [];
  for (const t of b.spec.threads) {
    const body = blocksOf(b, `thread ${t.name}`);
    out.push(
      `/* thread ${t.name}, in process ${t.process.name} */`,
      `static void *${threadFn(t.name)}(void *arg)`,
      '{',
      '\t(void)arg;',
      ...indent(body),
      '\treturn NULL;',
      '}',
      '',
    );
  }
  return out;
}

export function processFunctions(b: Build): string[] {
  const out: string[] = [];
  for (const p of b.plan.processes) {
    const main = mainThreadOf(b, p.name);
    const starts =
      main !== undefined
        ? [`${threadFn(main)}(NULL); /* its one thread runs on the main thread */`]
        : p.threads.map((t) => `start_thread(${threadFn(t)});`);
    if (main === undefined && p.threads.length > 0) b.parts.add('pthread');
    const what = p.initial ? 'present at start' : 'forked by a step';
    out.push(
      `/* process ${p.name} (${what}): ${p.threads.length > 0 ? `threads ${p.threads.join(', ')}; ` : ''}its main thread runs the steps other threads make in it */`,
      `static void __attribute__((noreturn)) ${processFn(p.name)}(void)`,
      '{',
      ...indent(starts),
      ...indent(blocksOf(b, `process ${p.name}`)),
      '\tend_process(END_TURN);',
      '}',
      '',
    );
  }
  return out;
}
