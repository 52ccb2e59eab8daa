/**
 * @module The throwaway servers live with `npm run split`, which starts them too; tests use the same code.
 */
export * from '../../scripts/local-servers/child-process.js';
