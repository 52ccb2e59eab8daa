// Types for the rule file, so tests can read the rule names it declares.
import type { IConfiguration } from 'dependency-cruiser';

declare const config: IConfiguration;
export default config;
