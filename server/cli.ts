// The `etender` command: finds the subcommand (one or two words), parses its options strictly,
// and turns every known kind of failure into one line a person can act on.
import { parseArgs } from 'node:util';
import { DatabaseConfigError } from '../db/connection';
import { AppError } from '../modules/core/errors';
import { ConfigError } from './config';
import { UsageError, type CliCommand } from './commands/command';
import { COMMANDS } from './commands/index';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `etender — command line for the etender platform

Usage: etender <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "etender <command> --help" for the options of a command and an example.`;
}

function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | null {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return null;
}

export async function run(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${overview()}\n`);
    return;
  }
  const found = findCommand(argv);
  if (!found) throw new UsageError(`unknown command "${argv.slice(0, 2).join(' ')}". Run "etender --help".`);
  const { command, rest } = found;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: !!command.positionals,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${command.help}\n`);
    return;
  }
  await command.run(values, positionals);
}

function fail(message: string, code: number): never {
  process.stderr.write(`etender: ${message}\n`);
  process.exit(code);
}

run(process.argv.slice(2)).catch((err) => {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof DatabaseConfigError) fail(err.message, 2);
  if (err instanceof AppError) fail(err.message, 1);
  if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) fail(`${(err as Error).message}. Run "etender --help".`, 2);
  process.stderr.write(`etender: unexpected error: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
