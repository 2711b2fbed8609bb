// Which engine a knex handle talks to, asked one way everywhere (migrations included).
import type { Knex } from 'knex';

export const isMysql = (knex: Knex): boolean => knex.client.config.client === 'mysql2';
export const isSqlite = (knex: Knex): boolean => knex.client.config.client === 'better-sqlite3';
