// Every `etender` subcommand, in the order `etender --help` lists them.
import type { CliCommand } from './command';
import { auditVerifyCommand } from './audit';
import { ceremonyCommand, shareConfirmCommand, shareDecryptCommand, shareReleaseCommand } from './ceremony';
import { openingKeyDeriveCommand } from './opening-key';
import { BIDDER_COMMANDS } from './bidder';
import { KEY_BACKUP_COMMANDS } from './key-backup';
import { PKI_COMMANDS } from './pki';
import { demoCommand, migrateCommand, tokenCreateCommand, userCreateCommand } from './setup';

export const COMMANDS: CliCommand[] = [
  migrateCommand,
  demoCommand,
  userCreateCommand,
  tokenCreateCommand,
  ...PKI_COMMANDS,
  ...KEY_BACKUP_COMMANDS,
  ...BIDDER_COMMANDS,
  ceremonyCommand,
  shareConfirmCommand,
  shareDecryptCommand,
  shareReleaseCommand,
  openingKeyDeriveCommand,
  auditVerifyCommand,
];
