/**
 * @module Every module of the shop. Adding a module means adding it here, nowhere else.
 */
import type { AnyModule } from '../kernel/module.js';
import { catalogModule } from '../modules/catalog/module.js';

export const allModules: readonly AnyModule[] = [catalogModule];
