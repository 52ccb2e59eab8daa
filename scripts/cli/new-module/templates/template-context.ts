/**
 * @module What every template of a generated module gets: its names, whether it publishes an
 * event, and how its files reach the framework (import specifiers, since where the framework
 * sits is the project's choice, read from its application file).
 */
import type { ModuleNames } from '../names.js';

export interface ImportPaths {
  /** From the module's folder to the framework's kernel, e.g. `../../kernel`. */
  readonly kernelFromModule: string;
  /** From the module's folder to the framework's transports (the generated test binds in process). */
  readonly transportFromModule: string;
  /** From the api folder to the kernel, e.g. `../kernel`. */
  readonly kernelFromApi: string;
  /** From the api folder to the gateway, e.g. `../gateway`. */
  readonly gatewayFromApi: string;
  /** From the api folder to the module's folder, e.g. `../modules/reviews`. */
  readonly moduleFromApi: string;
}

export interface TemplateContext {
  readonly names: ModuleNames;
  /** `--events`: the contract declares one event, which the method publishes. */
  readonly events: boolean;
  readonly paths: ImportPaths;
}
