#!/usr/bin/env node
/**
 * The gupsim command line. The only code that touches process, the file system and the console.
 * Exit status: 0 pass, 1 fail, 2 input or usage error.
 */
import { Command, CommanderError } from 'commander';
import { benchCommand } from './commands/bench.js';
import { explainCommand } from './commands/explain.js';
import { exploreCommand } from './commands/explore.js';
import { listCommand } from './commands/list.js';
import { mergeCommand } from './commands/merge.js';
import { oracleCommand } from './commands/oracle.js';
import { reproCommand } from './commands/repro.js';
import { runCommand } from './commands/run.js';
import { startCommand } from './commands/start.js';
import { traceCommand } from './commands/trace.js';
import { CliError, EXIT_USAGE } from './errors.js';
import { err } from './style.js';

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

function build(setExit: (code: number) => void): Command {
  const program = new Command('gupsim')
    .description(
      'An executable model of Linux get_user_pages()/pin_user_pages() with an interleaving explorer',
    )
    .exitOverride()
    .showHelpAfterError();

  program
    .command('run')
    .description(
      'run one execution of a scenario or program and print its verdict (and trace with --trace)',
    )
    .argument(
      '<file>',
      'a scenario (.yaml, .yml, .json) or a TypeScript/JavaScript program (default export: defineScenario or defineProgram)',
    )
    .option(
      '--schedule <s>',
      'replay this schedule (as printed by run/explore), then continue by default',
    )
    .option('--seed <n>', 'choose randomly from this seed (after --schedule runs out, if both)')
    .option('--max-steps <n>', 'stop and report a livelock after this many steps')
    .option('--trace', 'print the full trace before the verdict')
    .option(
      '--json',
      'print the result object as JSON (results, expectations, violations, schedule)',
    )
    .addHelpText(
      'after',
      examples(
        'gupsim run scenarios/pin-vs-get-release.yaml',
        'gupsim run scenarios/pin-vs-get-release.yaml --json',
        'gupsim run examples/abba.ts',
        'gupsim run examples/abba.ts --schedule gs1:0.1 --trace',
        'gupsim run examples/abba.ts --seed 7 --json',
      ),
    )
    .action(async (file: string, flags) => setExit(await runCommand(file, flags)));

  program
    .command('explain')
    .description(
      'tell one execution as a story: each step, the kernel rules and functions behind its result, the verdict',
    )
    .argument('<file>', 'a scenario or program file')
    .option('--schedule <s>', 'replay this schedule (as printed by run/explore)')
    .option('--seed <n>', 'choose randomly from this seed')
    .option('--max-steps <n>', 'stop and report a livelock after this many steps')
    .option('--verbose', 'also show every lock taken and released')
    .addHelpText(
      'after',
      examples(
        'gupsim explain scenarios/cow-ro-pin-shared-anon.yaml',
        'gupsim explain scenarios/mmap-lock-read-recursion.yaml --schedule gs1:0x5.1',
        'gupsim explain examples/abba.ts --verbose',
      ),
    )
    .action(async (file: string, flags) => setExit(await explainCommand(file, flags)));

  program
    .command('trace')
    .description('print the full trace of one execution (text, JSON, or Perfetto/Chrome JSON)')
    .argument('<file>', 'a scenario or program file')
    .option('--schedule <s>', 'replay this schedule')
    .option('--seed <n>', 'choose randomly from this seed')
    .option('--format <f>', 'text, json or perfetto', 'text')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      examples(
        'gupsim trace scenarios/cow-ro-pin-shared-anon.yaml --format perfetto -o cow.json',
        'gupsim trace examples/abba.ts --schedule gs1:0x2.1x2.0',
        'gupsim trace examples/abba.ts --format perfetto -o abba.json   # open in ui.perfetto.dev',
      ),
    )
    .action(async (file: string, flags) => setExit(await traceCommand(file, flags)));

  program
    .command('explore')
    .description(
      'search interleavings for a failing execution; shrink it and print its trace and replay command',
    )
    .argument('[file]', 'a program file (or --all for the catalogue)')
    .option(
      '--strategy <s>',
      'dpor (exhaustive, reduced), dfs (exhaustive), pct, random, or replay',
      'dpor',
    )
    .option(
      '--preemption-bound <k>',
      'dpor/dfs: schedules with at most 0, then 1, ... k preemptions',
    )
    .option('--max-executions <n>', 'stop after this many executions')
    .option('--timeout <seconds>', 'stop after this long (the result then depends on speed)')
    .option('--seed <n>', 'root seed of random and pct (execution i runs with deriveSeed(seed, i))')
    .option('--depth <d>', 'pct: the bug depth d (default 3)')
    .option('--schedule <s>', 'replay: the schedule to run')
    .option('--workers <w>', "worker threads, or 'auto' (default: one per core when it pays)")
    .option('--shard <i/n>', 'explore shard i of n and print it as JSON for gupsim merge')
    .option('--max-steps <n>', 'step budget per execution')
    .option('--all', 'explore every catalogue entry and print a table')
    .option('--no-progress', 'no progress bar (it only shows on a terminal anyway)')
    .option('--json', 'print the result object as JSON')
    .addHelpText(
      'after',
      examples(
        'gupsim explore examples/abba.ts',
        'gupsim explore examples/abba.ts --strategy pct --depth 2 --seed 1 --max-executions 500',
        'gupsim explore examples/abba.ts --strategy dfs --preemption-bound 2',
        'gupsim explore examples/abba.ts --shard 1/2 > s1.json; gupsim merge s1.json s2.json',
        'gupsim explore --all --json',
      ),
    )
    .action(async (file: string | undefined, flags) => setExit(await exploreCommand(file, flags)));

  program
    .command('merge')
    .description('combine the outputs of explore --shard I/N into the result of one unsharded run')
    .argument('<shards...>', 'the JSON files explore --shard printed, one per shard')
    .option('--json', 'print the result object as JSON')
    .addHelpText('after', examples('gupsim merge s1.json s2.json s3.json --json'))
    .action((files: string[], flags) => setExit(mergeCommand(files, flags)));

  program
    .command('list')
    .description('list the bundled catalogue: scenarios and example programs, with tags')
    .option('--json', 'as JSON')
    .addHelpText('after', examples('gupsim list', 'gupsim list --json'))
    .action(async (flags) => setExit(await listCommand(flags)));

  program
    .command('start')
    .description('explore the whole catalogue and print a table of verdicts (what npm start runs)')
    .addHelpText('after', examples('gupsim start'))
    .action(async () => setExit(await startCommand()));

  program
    .command('repro')
    .description('write a scenario as a standalone C program that does it on the real kernel')
    .argument('<file>', 'a scenario file (.yaml, .yml, .json)')
    .option('--schedule <s>', 'order the steps as gupsim ran them under this schedule')
    .option('-o, --output <file>', 'write the C source to this file instead of stdout')
    .addHelpText(
      'after',
      examples(
        'gupsim repro scenarios/oracle/cow-fork-small.yaml -o repro.c && cc -O2 -Wall -Werror -o repro repro.c -lpthread && ./repro',
        'gupsim repro scenario.yaml --schedule gs1:0x3.1x2.0',
      ),
    )
    .action(async (file: string, flags) => setExit(await reproCommand(file, flags)));

  program
    .command('oracle')
    .description(
      'run scenarios in gupsim and on the host kernel, and compare every expectation and value',
    )
    .argument('<files...>', 'scenario files, or directories searched for them')
    .option('--json', 'print the outcomes as JSON')
    .option('--schedule <s>', 'run (and reproduce) under this schedule instead of the default')
    .option('--timeout <seconds>', 'time limit of each reproducer on the host (default 60)')
    .option('--known <file>', 'the known divergences (default oracle/known-divergences.yaml)')
    .addHelpText(
      'after',
      examples('gupsim oracle scenarios', 'gupsim oracle scenarios/oracle --json'),
    )
    .action(async (files: string[], flags) => setExit(await oracleCommand(files, flags)));

  program
    .command('bench')
    .description("run a model benchmark: 'gup' is the kernel's gup_test on the model")
    .argument('<suite>', 'gup')
    .argument(
      '[command]',
      'GUP_FAST_BENCHMARK, PIN_FAST_BENCHMARK, PIN_LONGTERM_BENCHMARK, GUP_BASIC_TEST or PIN_BASIC_TEST',
      'GUP_FAST_BENCHMARK',
    )
    .option('--size <size>', 'region size (128MiB, 1GiB; a bare number is MiB)', '128MiB')
    .option('--nr-pages-per-call <n>', 'pages per GUP call', '1')
    .option('--thp', 'madvise(MADV_HUGEPAGE) the region')
    .option('--hugetlb', 'map the region with MAP_HUGETLB (2 MiB pages)')
    .option('--write', 'FOLL_WRITE')
    .option('--shared', 'MAP_SHARED instead of MAP_PRIVATE')
    .option('--repeat <n>', 'run the command this many times (figures: the median)', '1')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      examples(
        'gupsim bench gup PIN_FAST_BENCHMARK --size 128MiB --nr-pages-per-call 512 --repeat 5',
        'gupsim bench gup PIN_LONGTERM_BENCHMARK --size 512MiB --thp --nr-pages-per-call 512 --json',
      ),
    )
    .action(async (suite: string, command: string, flags) =>
      setExit(await benchCommand(suite, command, flags)),
    );

  return program;
}

async function main(): Promise<void> {
  // `gupsim ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  let code = 0;
  const program = build((c) => (code = c));
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      code = e.exitCode === 0 ? 0 : EXIT_USAGE;
    } else if (e instanceof CliError) {
      err(e.bare ? e.message : `gupsim: ${e.message} [${e.code}]`);
      code = e.exitCode;
    } else {
      throw e;
    }
  }
  process.exitCode = code;
}

await main();
