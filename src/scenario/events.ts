/** `signal: NAME` / `wait: NAME`: every awaited event must be signalled by some step. */
import { ScenarioError } from './errors.js';
import type { Step, ThreadSpec } from './spec.js';
import { didYouMean, listAccepted } from './suggest.js';

function* allSteps(steps: readonly Step[]): Generator<Step> {
  for (const step of steps) {
    yield step;
    const body = step.args['steps'];
    if (Array.isArray(body)) yield* allSteps(body as Step[]);
  }
}

function eventOf(step: Step): string {
  return String(step.args['name']);
}

/** The names signalled, in file order; fails on a wait for a name never signalled. */
export function checkEvents(threads: readonly ThreadSpec[]): string[] {
  const steps = threads.flatMap((t) => [...allSteps(t.steps)]);
  const signalled = [...new Set(steps.filter((s) => s.op === 'signal').map(eventOf))];
  for (const step of steps) {
    if (step.op !== 'wait' || signalled.includes(eventOf(step))) continue;
    const name = eventOf(step);
    const hint = didYouMean(name, signalled);
    throw new ScenarioError({
      code: 'GS147',
      pos: step.pos,
      problem: `thread '${step.thread}' waits for '${name}', which no step signals`,
      accepted: `an event some thread signals: ${listAccepted(signalled)}`,
      ...(hint === undefined ? {} : { hint }),
    });
  }
  return signalled;
}
