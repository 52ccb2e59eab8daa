/**
 * The architecture rules of Seam, as code. `npm run check:arch` fails on any violation, and
 * test/arch/rules.test.ts proves each rule fires on a fixture that breaks it.
 *
 * Layers (see README). The framework: kernel <- transport; kernel <- gateway; all three <- host.
 * The application: kernel <- modules <- api (its public routes, on the gateway); application.ts
 * and main.ts hand it to the host. The framework never imports the application.
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
      name: 'framework-to-application',
      comment: 'The framework (kernel, transport, gateway, host, and the seam CLI) runs any application: it imports none, the shop included.',
      severity: 'error',
      from: { path: ['^src/(kernel|transport|gateway|host)/', '^scripts/cli/'] },
      to: { path: ['^src/(modules|api)/', '^src/[^/]+\\.ts$'] },
    },
    {
      name: 'kernel-to-outer-layers',
      comment: 'The kernel knows no transport, gateway or host.',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: '^src/(transport|gateway|host|cli)/' },
    },
    {
      name: 'transport-to-non-kernel',
      comment: 'A transport binds contracts generically: it imports the kernel only.',
      severity: 'error',
      from: { path: '^src/transport/' },
      to: { path: '^src/', pathNot: '^src/(kernel|transport)/' },
    },
    {
      name: 'module-to-transport-gateway-or-host',
      comment: 'A module never picks its transport or edge: the host does.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: ['^src/(transport|gateway|host|cli|api)/', '^src/[^/]+\\.ts$'] },
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
      name: 'api-to-module-internals',
      comment: 'The public routes call modules through their contracts only.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/contract\\.ts$' },
    },
    {
      name: 'edge-to-transport-or-host',
      comment: 'The gateway and the public routes do not know whether a contract is local or remote.',
      severity: 'error',
      from: { path: '^src/(gateway|api)/' },
      to: { path: ['^src/(transport|host|cli)/', '^src/[^/]+\\.ts$'] },
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
