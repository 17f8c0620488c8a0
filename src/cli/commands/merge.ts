/**
 * `gupsim merge SHARD.json...`: combine the outputs of `gupsim explore FILE --shard I/N` into
 * the result one unsharded run prints: the same plan's task results in task order, the first
 * failure among them, and its counterexample as the shard that found it reported it.
 */
import { readFileSync } from 'node:fs';
import { combine } from '../../explore/combine.js';
import type { TaskContext, TaskResult } from '../../explore/types.js';
import { CliError, EXIT_FAIL, EXIT_PASS } from '../errors.js';
import { out } from '../style.js';
import { resultObject, type FailurePart } from './explore-result.js';

interface ShardTask extends Partial<Omit<TaskResult, 'failure'>> {
  readonly task: number;
  readonly failure?: { readonly execution: number; readonly signature: string };
}

interface ShardBlob {
  readonly scenario: string;
  readonly verdict: string;
  readonly shard: {
    readonly index: number;
    readonly count: number;
    readonly plan: TaskContext & { readonly tasks: number };
    readonly results: readonly ShardTask[];
    /** This shard's first failure, as its result object showed it. */
    readonly failure: FailurePart | null;
  };
  readonly [key: string]: unknown;
}

export function mergeCommand(files: readonly string[], flags: { json?: boolean }): number {
  const blobs = files.map(readBlob);
  const plan = checkShards(blobs);
  const results = new Array<TaskResult | undefined>(plan.tasks);
  for (const b of blobs) for (const t of b.shard.results) results[t.task] = taskResult(t);
  const ex = combine(plan, results);
  const task = ex.failure?.task;
  const owner =
    task === undefined
      ? undefined
      : blobs.find((b) => b.shard.results.some((t) => t.task === task));
  const merged = resultObject(blobs[0]!.scenario, ex, owner?.shard.failure ?? null);
  if (flags.json === true) out(JSON.stringify(merged, null, 2));
  else printMerged(merged as Record<string, unknown>, blobs.length);
  return task !== undefined ? EXIT_FAIL : EXIT_PASS;
}

function readBlob(file: string): ShardBlob {
  let o: unknown;
  try {
    o = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(
      `${file}: not a readable JSON file (${e instanceof Error ? e.message : String(e)})`,
      'GS230',
    );
  }
  const b = o as Partial<ShardBlob>;
  if (
    typeof b !== 'object' ||
    b === null ||
    b.shard === undefined ||
    typeof b.scenario !== 'string'
  ) {
    throw new CliError(`${file}: not the output of 'gupsim explore FILE --shard I/N'`, 'GS231');
  }
  return b as ShardBlob;
}

/** Every shard of one exploration, each once: returns the plan they share. */
function checkShards(blobs: readonly ShardBlob[]): TaskContext & { readonly tasks: number } {
  if (blobs.length === 0) throw new CliError('merge needs the shard files to combine', 'GS232');
  const first = blobs[0]!;
  const key = (b: ShardBlob): string => JSON.stringify([b.scenario, b.shard.count, b.shard.plan]);
  for (const b of blobs) {
    if (key(b) !== key(first)) {
      throw new CliError(
        'the shards come from different explorations (scenario, settings or shard count differ)',
        'GS233',
      );
    }
  }
  const seen = blobs.map((b) => b.shard.index).sort((a, b) => a - b);
  const want = Array.from({ length: first.shard.count }, (_, i) => i + 1);
  if (JSON.stringify(seen) !== JSON.stringify(want)) {
    throw new CliError(
      `expected shards 1..${first.shard.count} once each, got ${seen.join(', ')}`,
      'GS234',
    );
  }
  return first.shard.plan;
}

function taskResult(t: ShardTask): TaskResult | undefined {
  if (t.executions === undefined) return undefined;
  const base = {
    executions: t.executions,
    redundant: t.redundant ?? 0,
    complete: t.complete ?? false,
  };
  if (t.failure === undefined) return base;
  return { ...base, failure: { ...t.failure, decisions: [] } };
}

function printMerged(m: Record<string, unknown>, shards: number): void {
  out(`${String(m['scenario'])}: ${String(m['verdict']).toUpperCase()} (${shards} shards merged)`);
  out(
    `  ${String(m['executions'])} executions, strategy ${String(m['strategy'])}, complete: ${String(m['complete'])}`,
  );
  if (m['replay'] !== undefined) {
    out(`  schedule: ${String(m['schedule'])}`);
    out(`  replay:   ${String(m['replay'])}`);
  }
}
