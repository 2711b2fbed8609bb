import type { Knex } from 'knex';
import { toStr } from '../row';

// Stores every username in its normalised form (NFKC, trimmed, lower case), the only form the app
// looks up from now on. Two accounts whose names become the same are never merged silently: the
// migration stops, changes nothing, and names them, so that an admin renames one first.

/** A frozen copy of modules/accounts/usernames.ts as of this migration. */
function normalise(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

export async function up(knex: Knex): Promise<void> {
  const rows = (await knex('users').select('id', 'username')).map((r: { id: unknown; username: unknown }) => ({ id: toStr(r.id), username: toStr(r.username) }));
  const byName = new Map<string, Array<{ id: string; username: string }>>();
  for (const r of rows) {
    const n = normalise(r.username);
    byName.set(n, [...(byName.get(n) ?? []), r]);
  }
  const clashes = [...byName.entries()].filter(([, list]) => list.length > 1);
  if (clashes.length) {
    const lines = clashes.map(([n, list]) => `  "${n}": ${list.map((r) => `"${r.username}" (id ${r.id})`).join(', ')}`);
    throw new Error(
      `Usernames are now compared in one form (NFKC, trimmed, lower case), and these accounts would become the same account:\n${lines.join('\n')}\n` +
        'Nothing was changed. Rename all but one of each group (UPDATE users SET username = \'…\' WHERE id = \'…\'), then run the migrations again.',
    );
  }
  for (const r of rows) {
    const n = normalise(r.username);
    if (n !== r.username) await knex('users').where({ id: r.id }).update({ username: n });
  }
}

export async function down(): Promise<void> {
  // The earlier spellings are not kept; normalised names work with the earlier code too.
}
