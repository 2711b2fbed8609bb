// The shape of one `etender` subcommand. Each lives in its own file under server/commands/ and is
// listed in server/commands/index.ts.
import type { ParseArgsConfig } from 'node:util';

export interface CliCommand {
  /** One or two words: "migrate", "user create". */
  name: string;
  summary: string;
  /** Full help text, with at least one example. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Accepts positional arguments (file names). */
  positionals?: boolean;
  run(values: Record<string, string | boolean | string[] | boolean[] | undefined>, positionals: string[]): Promise<void>;
}

/** A mistake of the person at the keyboard: printed as one line, exit code 2. */
export class UsageError extends Error {}
