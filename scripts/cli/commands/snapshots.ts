/**
 * @module `seam contracts check|snapshot` and `seam api check|snapshot`: the snapshot command
 * (scripts/snapshot-command.ts) over the contracts' and the public API's comparisons.
 */
import type { Command } from 'commander';
import { snapshotCommand } from '../../snapshot-command.js';

export const contractsCommand = (): Command =>
  snapshotCommand({
    name: 'contracts',
    description: "compare the modules' contracts with their committed snapshots (<contracts>/<name>.v<major>.json), or record them",
    example: '$ seam contracts snapshot --dir contracts',
    load: async () => {
      const { checkContracts, snapshotContracts } = await import('../../contracts.js');
      return { check: checkContracts, snapshot: snapshotContracts };
    },
  });

export const apiCommand = (): Command =>
  snapshotCommand({
    name: 'api',
    description: "compare the public API's OpenAPI document with its committed snapshot (<contracts>/public-api.v<major>.openapi.json), or record it",
    example: '$ seam api snapshot --force',
    load: async () => {
      const { checkApi, snapshotApi } = await import('../../public-api.js');
      return { check: checkApi, snapshot: snapshotApi };
    },
  });
