/**
 * @module The hello application: its modules and its public edge.
 */
import { defineApplication } from '../../../src/host/application.js';
import { helloEdge } from './api/edge.js';
import { greeterModule } from './modules/greeter/module.js';
import { guestbookModule } from './modules/guestbook/module.js';

export const application = defineApplication({ name: 'hello', modules: [greeterModule, guestbookModule], edge: helloEdge });
