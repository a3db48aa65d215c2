import { KeywardError } from '@keyward/core';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { translateError } from './db-errors.ts';

export type StatementCounter = { count: number };

/**
 * Statements that start with this comment are background work (the change-log poll, heartbeats)
 * and are not counted: the count proves what a request path issues.
 */
export const UNCOUNTED = '/* background */ ';

type Options = {
  /** SQLite: take the write lock at BEGIN, so a transaction that reads then writes never hits SQLITE_BUSY mid-way. */
  beginStatement: 'begin' | 'begin immediate';
  counter: StatementCounter;
};

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateError(error);
  }
}

class CountingConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly counter: StatementCounter,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!query.sql.startsWith(UNCOUNTED)) this.counter.count++;
    return guard(() => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.counter.count++;
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/**
 * Wraps a dialect's driver so that every statement (BEGIN and COMMIT included) is counted and
 * every driver fault is translated in one place, whichever repository issued it.
 */
class InstrumentedDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, CountingConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly options: Options,
  ) {}

  async init(): Promise<void> {
    try {
      await this.inner.init();
    } catch (error) {
      // Failing to open the database (SQLite file, directory) is an outage whatever the cause.
      const cause = error instanceof Error ? error.message : String(error);
      throw new KeywardError('DATABASE_UNAVAILABLE', undefined, { cause });
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await guard(() => this.inner.acquireConnection());
    let wrapped = this.#wrapped.get(connection);
    if (wrapped === undefined) {
      wrapped = new CountingConnection(connection, this.options.counter);
      this.#wrapped.set(connection, wrapped);
    }
    return wrapped;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      return this.inner.beginTransaction(connection, settings);
    }
    await connection.executeQuery(CompiledQuery.raw(this.options.beginStatement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.releaseSavepoint?.(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const inner = connection instanceof CountingConnection ? connection.inner : connection;
    return this.inner.releaseConnection(inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

export function instrumentDialect(dialect: Dialect, options: Options): Dialect {
  return {
    createDriver: () => new InstrumentedDriver(dialect.createDriver(), options),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
