/**
 * @module The sample catalog: 8 categories of 15 products, the same on every run.
 *
 * Ids are derived from the SKU, so a product keeps its id across re-seeds and machines, and
 * documentation and manual tests can name one.
 */
import { createHash } from 'node:crypto';
import type { ProductValues } from './product.repository.js';

export interface SeedCategory {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
}

export interface SeedProduct extends ProductValues {
  readonly id: string;
}

/** A name-based UUID (version 5 layout over SHA-1), stable for a given name. */
export const stableUuid = (name: string): string => {
  const bytes = createHash('sha1').update(`seam:${name}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const catalogue: Record<string, { name: string; nouns: readonly string[] }> = {
  kitchen: { name: 'Kitchen', nouns: ['Chef Knife', 'Cutting Board', 'Dutch Oven', 'Pepper Mill', 'Saucepan'] },
  garden: { name: 'Garden', nouns: ['Pruning Shears', 'Watering Can', 'Trowel', 'Planter', 'Hose Reel'] },
  outdoor: { name: 'Outdoor', nouns: ['Tent', 'Sleeping Bag', 'Headlamp', 'Water Bottle', 'Camp Stove'] },
  office: { name: 'Office', nouns: ['Notebook', 'Desk Lamp', 'Fountain Pen', 'Monitor Stand', 'Desk Organizer'] },
  audio: { name: 'Audio', nouns: ['Headphones', 'Bookshelf Speaker', 'Turntable', 'Earbuds', 'Microphone'] },
  fitness: { name: 'Fitness', nouns: ['Yoga Mat', 'Kettlebell', 'Jump Rope', 'Foam Roller', 'Resistance Band'] },
  home: { name: 'Home', nouns: ['Throw Blanket', 'Table Lamp', 'Wall Clock', 'Vase', 'Cushion'] },
  travel: { name: 'Travel', nouns: ['Carry-on Case', 'Packing Cubes', 'Travel Pillow', 'Passport Wallet', 'Daypack'] },
};

const lines = [
  { adjective: 'Classic', note: 'Built to last and easy to care for.' },
  { adjective: 'Compact', note: 'Small enough to take anywhere.' },
  { adjective: 'Premium', note: 'Our best materials and finish.' },
];

export const seedCategories: readonly SeedCategory[] = Object.entries(catalogue).map(([slug, { name }]) => ({
  id: stableUuid(`category:${slug}`),
  slug,
  name,
}));

export const seedProducts: readonly SeedProduct[] = Object.entries(catalogue).flatMap(([slug, { name, nouns }], categoryIndex) =>
  nouns.flatMap((noun, nounIndex) =>
    lines.map(({ adjective, note }, lineIndex) => {
      const sku = `${slug.slice(0, 3).toUpperCase()}-${String(nounIndex + 1).padStart(2, '0')}${lineIndex + 1}`;
      return {
        id: stableUuid(`product:${sku}`),
        sku,
        name: `${adjective} ${noun}`,
        description: `${adjective} ${noun.toLowerCase()} from our ${name.toLowerCase()} range. ${note}`,
        // Prices spread from 4.99 to about 300, ending in .99 as shops do.
        priceCents: ((categoryIndex * 7 + nounIndex * 13 + lineIndex * 29) % 60) * 500 + 499,
        currency: 'EUR',
        categoryId: stableUuid(`category:${slug}`),
        // 100 g to about 6 kg: enough spread to cross the shipping weight bands.
        weightGrams: 100 + ((categoryIndex * 11 + nounIndex * 17 + lineIndex * 7) % 40) * 150,
      };
    }),
  ),
);
