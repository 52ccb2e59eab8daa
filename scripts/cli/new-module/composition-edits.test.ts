import { describe, expect, it } from 'vitest';
import { CliFailure } from '../cli-errors.js';
import { addToApplication, addToEdge } from './composition-edits.js';
import { moduleNames } from './names.js';
import { addImport, appendToLiteral } from './source-edits.js';

const names = moduleNames('reviews');

const applicationText = `import { shopEdge } from './api/edge.js';
import { defineApplication } from './host/application.js';
import { catalogModule } from './modules/catalog/module.js';
import { shippingModule } from './modules/shipping/module.js';

export const application = defineApplication({
  name: 'shop',
  // seeding order
  modules: [
    catalogModule,
    shippingModule // last
  ],
  edge: shopEdge,
});
`;

const edgeText = `import { Hono } from 'hono';
import { defineEdge } from '../gateway/public-edge.js';
import { catalogContract } from '../modules/catalog/contract.js';
import { shippingContract } from '../modules/shipping/contract.js';
import { catalogRoutes } from './catalog.routes.js';
import { shippingRoutes } from './shipping.routes.js';

export const edge = defineEdge({
  requires: {
    catalog: catalogContract,
    shipping: shippingContract,
  },
  routes: ({ catalog, shipping }, { logins }) =>
    new Hono()
      .route('/', catalogRoutes(catalog, logins))
      .route('/', shippingRoutes(shipping)),
  documentation: { title: 'Shop', description: 'The shop', tags: [{ name: 'Catalog', description: 'Products' }] },
});
`;

describe('addToApplication', () => {
  const files = { file: '/p/src/application.ts', shownFile: 'src/application.ts', moduleFile: '/p/src/modules/reviews/module.ts', names };

  it('imports the module among the other modules and appends it to the list, comment and all', () => {
    const edited = addToApplication(applicationText, files);
    expect(edited).toContain(
      "import { catalogModule } from './modules/catalog/module.js';\nimport { reviewsModule } from './modules/reviews/module.js';\nimport { shippingModule } from './modules/shipping/module.js';",
    );
    expect(edited).toContain('  modules: [\n    catalogModule,\n    shippingModule, // last\n    reviewsModule,\n  ],');
  });

  it('fails with one line saying what to add by hand when there is no modules list', () => {
    const odd = applicationText.replace(/modules: \[[^\]]*\],/, 'modules: allModules,');
    expect(() => addToApplication(odd, files)).toThrow(CliFailure);
    expect(() => addToApplication(odd, files)).toThrow(
      /^src\/application\.ts has no "modules: \[" list: import \{ reviewsModule \} from '\.\/modules\/reviews\/module\.js' and add it to the application's modules by hand/,
    );
  });
});

describe('addToEdge', () => {
  const files = { file: '/p/src/api/edge.ts', shownFile: 'src/api/edge.ts', contractFile: '/p/src/modules/reviews/contract.ts', routesFile: '/p/src/api/reviews.routes.ts', names };

  it('requires the contract, hands the routes its API and the tokens, and mounts them last', () => {
    const edited = addToEdge(edgeText, files);
    expect(edited).toContain("import { catalogContract } from '../modules/catalog/contract.js';\nimport { reviewsContract } from '../modules/reviews/contract.js';");
    expect(edited).toContain("import { catalogRoutes } from './catalog.routes.js';\nimport { reviewsRoutes } from './reviews.routes.js';");
    expect(edited).toContain('    shipping: shippingContract,\n    reviews: reviewsContract,\n  },');
    expect(edited).toContain('routes: ({ catalog, shipping, reviews }, { logins, tokens }) =>');
    expect(edited).toContain(".route('/', shippingRoutes(shipping))\n      .route('/', reviewsRoutes(reviews, tokens)),");
    expect(edited).toContain("tags: [{ name: 'Catalog', description: 'Products' }, { name: 'Reviews', description: 'The reviews module' }]");
  });

  it('adds the route context when the routes take none', () => {
    const edited = addToEdge(edgeText.replace('({ catalog, shipping }, { logins })', '({ catalog, shipping })'), files);
    expect(edited).toContain('routes: ({ catalog, shipping, reviews }, { tokens }) =>');
  });

  it('fails with one line when the edge has no requires', () => {
    const odd = edgeText.replace(/requires: \{[^}]*\},/, 'requires: shared,');
    expect(() => addToEdge(odd, files)).toThrow(/^src\/api\/edge\.ts has no "requires: \{" object: add reviews: reviewsContract to its requires and mount .*by hand/);
  });
});

describe('source edits', () => {
  it('appends to empty and one-line literals', () => {
    expect(appendToLiteral('const a = [];', /=\s*\[/, 'x')).toBe('const a = [x];');
    expect(appendToLiteral('const a = [b, c];', /=\s*\[/, 'x')).toBe('const a = [b, c, x];');
    expect(appendToLiteral('const a = { b };', /=\s*\{/, 'x')).toBe('const a = { b, x };');
  });

  it('skips brackets inside strings and comments when finding the end of a literal', () => {
    expect(appendToLiteral("const a = [\n  ']', // ]\n  '/*',\n];", /=\s*\[/, 'x')).toBe("const a = [\n  ']', // ]\n  '/*',\n  x,\n];");
  });

  it('puts an import after the last one when none shares its folders', () => {
    expect(addImport("import { a } from 'a';\n\nconst b = 1;", "import { c } from './c.js';", './c.js')).toBe("import { a } from 'a';\nimport { c } from './c.js';\n\nconst b = 1;");
    expect(addImport('const b = 1;', "import { c } from './c.js';", './c.js')).toBeUndefined();
  });
});
