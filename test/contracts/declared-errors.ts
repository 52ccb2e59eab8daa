/**
 * @module Every error the code declares, for tests that check them all: what each module's
 * contract file exports, and what the kernel, the edge and the transport declare themselves.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commonErrors, type ErrorSpec } from '../../src/kernel/errors.js';
import { edgeErrors } from '../../src/gateway/edge-limits.js';
import { protocolErrors } from '../../src/gateway/protocol-errors.js';
import { CallerNotAllowed } from '../../src/transport/http/caller-permissions.js';
import { UnknownContract, UnknownContractVersion, UnknownMethod } from '../../src/transport/http/rpc-server.js';

/** The errors declared outside the modules: the kernel's, the public edge's and the RPC server's. */
export const layerErrors: readonly ErrorSpec[] = [...commonErrors, ...protocolErrors, ...edgeErrors, CallerNotAllowed, UnknownContract, UnknownContractVersion, UnknownMethod];

const isErrorSpec = (value: unknown): value is ErrorSpec => {
  const spec = value as Partial<ErrorSpec> | null;
  return typeof spec === 'object' && spec !== null && typeof spec.code === 'string' && typeof spec.kind === 'string' && typeof spec.create === 'function';
};

const modulesDir = join(import.meta.dirname, '..', '..', 'src', 'modules');

/** Every error spec a module's contract.ts exports, read from the files themselves so none can be missed. */
export const contractFileErrors = async (): Promise<ErrorSpec[]> => {
  const specs = new Set<ErrorSpec>();
  for (const entry of readdirSync(modulesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const exported = (await import(pathToFileURL(join(modulesDir, entry.name, 'contract.ts')).href)) as Record<string, unknown>;
    for (const value of Object.values(exported)) if (isErrorSpec(value)) specs.add(value);
  }
  return [...specs];
};
