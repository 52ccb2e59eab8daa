/**
 * @module The hello application's entry point: the monolith, or any service of a topology.
 */
import { runService } from '../../../src/host/main.js';
import { application } from './application.js';

await runService(application);
