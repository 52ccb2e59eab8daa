/**
 * @module The shop's entry point (`seam dev`, `seam start`, every service of a split).
 */
import { application } from './application.js';
import { runService } from './host/main.js';

await runService(application);
