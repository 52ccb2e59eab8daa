/**
 * @module The plain shop's database: one schema, the tables a team would write for this shop
 * without a framework (products with their stock, orders unique per user and idempotency key,
 * payments, shipments, notifications), in a database of its own on the benchmark's server,
 * stocked with the Seam shop's catalog so both take the same products.
 */
import postgres from 'postgres';

/** The plain shop's database on the benchmark's server. */
const databaseName = 'seam_plain_shop';

const tables = `
  create table products (
    id uuid primary key,
    name text not null,
    price_cents integer not null check (price_cents >= 0),
    currency char(3) not null,
    weight_grams integer not null,
    stock integer not null check (stock >= 0),
    updated_at timestamptz not null default now()
  );
  create table orders (
    id uuid primary key,
    user_id text not null,
    idempotency_key text not null,
    request_hash text not null,
    status text not null,
    items jsonb not null,
    items_cents integer not null,
    shipping_cents integer not null,
    total_cents integer not null,
    currency char(3) not null,
    weight_grams integer not null,
    shipping_address jsonb not null,
    payment_last4 char(4),
    shipment_id uuid,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (user_id, idempotency_key)
  );
  create table payments (
    id uuid primary key,
    order_id uuid not null unique references orders (id),
    amount_cents integer not null check (amount_cents > 0),
    currency char(3) not null,
    status text not null,
    last4 char(4) not null,
    brand text not null,
    processor_ref text not null,
    created_at timestamptz not null default now()
  );
  create table shipments (
    id uuid primary key,
    order_id uuid not null unique references orders (id),
    status text not null,
    service text not null,
    tracking_number text not null unique,
    address jsonb not null,
    weight_grams integer not null,
    created_at timestamptz not null default now()
  );
  create table notifications (
    id uuid primary key,
    user_id text not null,
    kind text not null,
    title text not null,
    body text not null,
    created_at timestamptz not null default now()
  );
  create index notifications_user_idx on notifications (user_id, created_at);
`;

interface CatalogProduct {
  id: string;
  name: string;
  price_cents: number;
  currency: string;
  weight_grams: number;
}

/**
 * Creates the plain shop's database and tables, and copies the Seam shop's catalog into it
 * (read through `shopAdmin`, a connection to the shop's database), each product with `stock`
 * units. Resolves with the database's URL.
 */
export const preparePlainShopDatabase = async (shopAdmin: postgres.Sql, serverUrl: string, stock: number): Promise<string> => {
  await shopAdmin.unsafe(`create database ${databaseName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  const catalog = await shopAdmin<CatalogProduct[]>`select id, name, price_cents, currency, weight_grams from catalog.products`;
  if (catalog.length === 0) throw new Error("the shop's catalog is empty: seed it before preparing the plain shop");
  const sql = postgres(url.toString(), { max: 1, onnotice: () => undefined, connection: { application_name: 'seam-bench-admin' } });
  try {
    await sql.unsafe(tables);
    for (const product of catalog) {
      await sql`insert into products (id, name, price_cents, currency, weight_grams, stock)
        values (${product.id}, ${product.name}, ${product.price_cents}, ${product.currency}, ${product.weight_grams}, ${stock})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return url.toString();
};
