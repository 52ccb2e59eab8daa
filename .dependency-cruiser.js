/**
 * The architecture rules of Seam, as code. `npm run check:arch` fails on any violation, and
 * test/arch/rules.test.ts proves each rule fires on a fixture that breaks it.
 *
 * Layers (see README): kernel <- transport; kernel <- modules <- gateway; app/main wire all.
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make start-up order and extraction into services ambiguous.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'kernel-to-outer-layers',
      comment: 'The kernel knows no module, transport, gateway or composition root.',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: ['^src/(modules|transport|gateway|app)/', '^src/main\\.ts$'] },
    },
    {
      name: 'transport-to-non-kernel',
      comment: 'A transport binds contracts generically: it imports the kernel only.',
      severity: 'error',
      from: { path: '^src/transport/' },
      to: { path: '^src/', pathNot: '^src/(kernel|transport)/' },
    },
    {
      name: 'module-to-transport-gateway-or-app',
      comment: 'A module never picks its transport or edge: the composition root does.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: ['^src/(transport|gateway|app)/', '^src/main\\.ts$'] },
    },
    {
      name: 'module-to-foreign-internals',
      comment: "A module may import another module's contract.ts and nothing else of it.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/contract\\.ts$'] },
    },
    {
      name: 'module-to-foreign-schema',
      comment: "A module owns its data: no module touches another module's tables.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/schema(\\.ts$|/)', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'gateway-to-module-internals',
      comment: 'The gateway calls modules through their contracts only.',
      severity: 'error',
      from: { path: '^src/gateway/' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/contract\\.ts$' },
    },
    {
      name: 'gateway-to-transport-or-app',
      comment: 'The gateway does not know whether a contract is local or remote.',
      severity: 'error',
      from: { path: '^src/gateway/' },
      to: { path: ['^src/(transport|app)/', '^src/main\\.ts$'] },
    },
    {
      name: 'contract-to-non-contract',
      comment: 'A contract is pure data: it imports the kernel and other contracts, never behaviour.',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/contract\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/kernel/', '^src/modules/[^/]+/contract\\.ts$'] },
    },
    {
      name: 'domain-to-transport-packages',
      comment: 'Modules and the kernel never import HTTP or queue libraries; transports adapt them.',
      severity: 'error',
      from: { path: '^src/(modules|kernel)/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: 'node_modules/(hono|@hono/[^/]+|bullmq|ioredis|undici)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve hides a dependency from every other rule.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
