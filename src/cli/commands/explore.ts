/** `gupsim explore FILE`: search interleavings for a failing execution. */
import { EXIT_FAIL, EXIT_PASS, CliError } from '../errors.js';
import { explore, type Strategy } from '../explore.js';
import { loadProgram } from '../load.js';
import { parseCount, parseSeed, parseSteps } from '../options.js';
import { printRun, resultJson, verdictOf } from '../report.js';
import { bold, green, out } from '../style.js';

export interface ExploreFlags {
  readonly strategy?: string;
  readonly maxExecutions?: string;
  readonly seed?: string;
  readonly maxSteps?: string;
  readonly json?: boolean;
}

const STRATEGIES: readonly Strategy[] = ['dfs', 'random'];

export async function exploreCommand(file: string, flags: ExploreFlags): Promise<number> {
  const strategy = (flags.strategy ?? 'dfs') as Strategy;
  if (!STRATEGIES.includes(strategy)) {
    throw new CliError(
      `--strategy '${flags.strategy}' is not one of: ${STRATEGIES.join(', ')}`,
      'GS212',
    );
  }
  const p = await loadProgram(file);
  const maxSteps = parseSteps(flags.maxSteps);
  const o = explore(p, {
    strategy,
    maxExecutions:
      parseCount('--max-executions', flags.maxExecutions) ?? (strategy === 'dfs' ? 100_000 : 1_000),
    seed: flags.seed !== undefined ? parseSeed(flags.seed) : 0,
    ...(maxSteps !== undefined ? { maxSteps } : {}),
  });
  const summary = { executions: o.executions, strategy, complete: o.complete };
  if (o.failure === undefined) {
    if (flags.json === true) {
      out(
        JSON.stringify(
          { format: 'gupsim-result', version: 1, scenario: p.name, verdict: 'pass', ...summary },
          null,
          2,
        ),
      );
    } else {
      const scope = o.complete
        ? 'every interleaving'
        : `${o.executions} executions (not exhaustive)`;
      out(`${bold(p.name)}: ${green('PASS')} in ${scope}; strategy ${strategy}`);
    }
    return EXIT_PASS;
  }
  const v = verdictOf(p, o.failure);
  if (flags.json === true) out(JSON.stringify(resultJson(p, o.failure, v, summary), null, 2));
  else {
    out(`found a failing execution after ${o.executions} executions (strategy ${strategy})`);
    printRun(file, p, o.failure, v);
  }
  return EXIT_FAIL;
}
