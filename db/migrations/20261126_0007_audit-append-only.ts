import type { Knex } from 'knex';
import { isMysql } from '../dialect';

// The database itself refuses to change or remove an audit entry, whoever connects to it.
export async function up(knex: Knex): Promise<void> {
  if (isMysql(knex)) {
    for (const op of ['UPDATE', 'DELETE']) {
      await knex.raw(`
        CREATE TRIGGER audit_log_no_${op.toLowerCase()} BEFORE ${op} ON audit_log FOR EACH ROW
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only: entries cannot be changed or deleted'`);
    }
  } else {
    for (const op of ['UPDATE', 'DELETE']) {
      await knex.raw(`
        CREATE TRIGGER audit_log_no_${op.toLowerCase()} BEFORE ${op} ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed or deleted'); END`);
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS audit_log_no_update');
  await knex.raw('DROP TRIGGER IF EXISTS audit_log_no_delete');
}
