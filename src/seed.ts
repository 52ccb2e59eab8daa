/**
 * @module `npm run seed`: migrates, then loads every module's sample data (idempotent).
 */
import { application } from './application.js';
import { seedAll } from './host/main.js';

await seedAll(application);
