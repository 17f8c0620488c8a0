#!/usr/bin/env node
/**
 * The gupsim command line. The only code that touches process, the file system and the console.
 * Exit status: 0 pass, 1 fail, 2 input or usage error.
 */
import { Command, CommanderError } from 'commander';
import { exploreCommand } from './commands/explore.js';
import { listCommand } from './commands/list.js';
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
    .description('run one execution of a program and print its verdict (and trace with --trace)')
    .argument('<file>', 'a TypeScript/JavaScript program (default export: defineProgram({...}))')
    .option(
      '--schedule <s>',
      'replay this schedule (as printed by run/explore), then continue by default',
    )
    .option('--seed <n>', 'choose randomly from this seed (after --schedule runs out, if both)')
    .option('--max-steps <n>', 'stop and report a livelock after this many steps')
    .option('--trace', 'print the full trace before the verdict')
    .option('--json', 'print the result object as JSON')
    .addHelpText(
      'after',
      examples(
        'gupsim run examples/abba.ts',
        'gupsim run examples/abba.ts --schedule gs1:0.1 --trace',
        'gupsim run examples/abba.ts --seed 7 --json',
      ),
    )
    .action(async (file: string, flags) => setExit(await runCommand(file, flags)));

  program
    .command('explore')
    .description('search interleavings for a failing execution; print the replay command')
    .argument('<file>', 'a program file')
    .option('--strategy <s>', 'dfs (exhaustive) or random', 'dfs')
    .option('--max-executions <n>', 'stop after this many executions')
    .option('--seed <n>', 'root seed for random')
    .option('--max-steps <n>', 'step budget per execution')
    .option('--json', 'print the result object as JSON')
    .addHelpText(
      'after',
      examples(
        'gupsim explore examples/abba.ts',
        'gupsim explore examples/abba.ts --strategy random --seed 1 --max-executions 500',
      ),
    )
    .action(async (file: string, flags) => setExit(await exploreCommand(file, flags)));

  program
    .command('trace')
    .description('print the full trace of one execution (text, JSON, or Perfetto/Chrome JSON)')
    .argument('<file>', 'a program file')
    .option('--schedule <s>', 'replay this schedule')
    .option('--seed <n>', 'choose randomly from this seed')
    .option('--format <f>', 'text, json or perfetto', 'text')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      examples(
        'gupsim trace examples/abba.ts --schedule gs1:0x2.1x2.0',
        'gupsim trace examples/abba.ts --format perfetto -o abba.json   # open in ui.perfetto.dev',
      ),
    )
    .action(async (file: string, flags) => setExit(await traceCommand(file, flags)));

  program
    .command('list')
    .description('list the bundled catalogue')
    .option('--json', 'as JSON')
    .addHelpText('after', examples('gupsim list', 'gupsim list --json'))
    .action(async (flags) => setExit(await listCommand(flags)));

  program
    .command('start')
    .description('explore the whole catalogue and print a table of verdicts (what npm start runs)')
    .addHelpText('after', examples('gupsim start'))
    .action(async () => setExit(await startCommand()));

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
      err(`gupsim: ${e.message} [${e.code}]`);
      code = e.exitCode;
    } else {
      throw e;
    }
  }
  process.exitCode = code;
}

await main();
