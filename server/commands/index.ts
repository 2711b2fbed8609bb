// Every `etender` subcommand, in the order `etender --help` lists them.
import type { CliCommand } from './command';
import { demoCommand, migrateCommand, tokenCreateCommand, userCreateCommand } from './setup';

export const COMMANDS: CliCommand[] = [migrateCommand, demoCommand, userCreateCommand, tokenCreateCommand];
