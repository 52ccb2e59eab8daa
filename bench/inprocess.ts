/**
 * @module `npm run bench:inprocess`: what the in-process binding costs per call.
 *
 * Two views of the same catalog method, `getProduct`, each called directly on the
 * implementation and through `bindInProcess` (validation off, as in production):
 *  1. the binding's own cost: the service over an in-memory product list, so the call does
 *     almost nothing else and any overhead shows (the target: at most 1.5x direct);
 *  2. the same over embedded PGlite, the path a real request takes, for scale.
 * Rounds alternate direct and bound so drift (JIT, GC, turbo) hits both alike; the median
 * round is reported. Every loop is bounded in count and time.
 */
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Database } from '../src/kernel/database.js';
import { createLogger } from '../src/kernel/logger.js';
import { CatalogService } from '../src/modules/catalog/catalog.service.js';
import type { CatalogApi, Category, Product } from '../src/modules/catalog/contract.js';
import { catalogModule } from '../src/modules/catalog/module.js';
import { ProductRepository, type ProductQuery, type ProductReader } from '../src/modules/catalog/product.repository.js';
import { seedCategories, seedProducts } from '../src/modules/catalog/seed-data.js';
import { bindInProcess } from '../src/transport/in-process.js';
import { median } from './stats.js';

const timeBudgetMs = 20_000;

/** The seed catalog held in memory: a reader whose cost is a Map lookup. */
class InMemoryProducts implements ProductReader {
  readonly #byId = new Map<string, Product>();
  constructor(products: readonly Product[], private readonly all: readonly Category[]) {
    for (const product of products) this.#byId.set(product.id, product);
  }
  async list(query: ProductQuery): Promise<Product[]> {
    return [...this.#byId.values()].slice(0, query.limit);
  }
  async findById(id: string): Promise<Product | undefined> {
    return this.#byId.get(id);
  }
  async findByIds(ids: readonly string[]): Promise<Product[]> {
    return ids.flatMap((id) => this.#byId.get(id) ?? []);
  }
  async categories(): Promise<Category[]> {
    return [...this.all];
  }
}

/** ns per call of `call`, over `calls` sequential awaited calls. */
const timeCalls = async (call: () => Promise<unknown>, calls: number): Promise<number> => {
  const started = process.hrtime.bigint();
  for (let index = 0; index < calls; index += 1) await call();
  return Number(process.hrtime.bigint() - started) / calls;
};

interface Comparison {
  readonly label: string;
  readonly directNs: number;
  readonly boundNs: number;
}

const compare = async (label: string, direct: CatalogApi, bound: CatalogApi, ids: readonly string[], callsPerRound: number, rounds: number): Promise<Comparison> => {
  let next = 0;
  const input = () => ({ id: ids[(next = (next + 1) % ids.length)]! });
  const directCall = () => direct.getProduct(input());
  const boundCall = () => bound.getProduct(input());
  await timeCalls(directCall, callsPerRound); // warm-up, both paths
  await timeCalls(boundCall, callsPerRound);
  const directRounds: number[] = [];
  const boundRounds: number[] = [];
  const deadline = Date.now() + timeBudgetMs;
  for (let round = 0; round < rounds && Date.now() < deadline; round += 1) {
    directRounds.push(await timeCalls(directCall, callsPerRound));
    boundRounds.push(await timeCalls(boundCall, callsPerRound));
  }
  return { label, directNs: median(directRounds), boundNs: median(boundRounds) };
};

const openSeededPglite = async (): Promise<Database> => {
  const client = await PGlite.create();
  await migrate(drizzle({ client }), { migrationsFolder: catalogModule.migrations, migrationsSchema: 'catalog', migrationsTable: '__migrations' });
  const db = drizzle({ client }) as unknown as Database;
  await catalogModule.seed?.run(db, createLogger({ level: 'silent' }), () => {
    throw new Error('the catalog seed needs no other module');
  });
  return db;
};

const main = async (): Promise<void> => {
  const db = await openSeededPglite();
  const repository = new ProductRepository(db);
  const products = await Promise.all(seedProducts.map(async (seed) => (await repository.findById(seed.id))!));
  const ids = products.map((product) => product.id);

  const memoryService = new CatalogService(new InMemoryProducts(products, seedCategories));
  const pgliteService = new CatalogService(repository);
  const results = [
    await compare('getProduct, in-memory reader', memoryService, bindInProcess(catalogModule.provides, memoryService, { validate: false }), ids, 200_000, 9),
    await compare('getProduct, embedded PGlite', pgliteService, bindInProcess(catalogModule.provides, pgliteService, { validate: false }), ids, 500, 5),
  ];
  const validated = await compare(
    'getProduct, in-memory reader, validation on',
    memoryService,
    bindInProcess(catalogModule.provides, memoryService, { validate: true }),
    ids,
    50_000,
    5,
  );

  console.log(`in-process binding, node ${process.version}`);
  console.log('case'.padEnd(46), 'direct ns/call'.padStart(15), 'bound ns/call'.padStart(15), 'ratio'.padStart(7));
  for (const result of [...results, validated]) {
    console.log(
      result.label.padEnd(46),
      result.directNs.toFixed(1).padStart(15),
      result.boundNs.toFixed(1).padStart(15),
      `${(result.boundNs / result.directNs).toFixed(2)}x`.padStart(7),
    );
  }
  const headline = results[0]!;
  const ratio = headline.boundNs / headline.directNs;
  console.log(`\nbinding overhead (validation off): ${ratio.toFixed(2)}x direct; target <= 1.50x: ${ratio <= 1.5 ? 'met' : 'NOT met'}`);
};

await main();
