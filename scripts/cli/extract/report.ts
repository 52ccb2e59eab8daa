/**
 * @module What `seam extract` and `seam merge` print: the files they changed, and the steps
 * left to the operator (the database role, the deployment, a check that it answers).
 */
import { databaseRoleOf } from '../../../src/host/topology.js';
import { serviceUrlVariable } from '../../../src/host/service-logins.js';
import { shown, type Project } from '../project.js';
import type { MovePlan } from './plan.js';

const changedFiles = (project: Project, plan: MovePlan): string[] =>
  plan.changes.map((change) => `  ${change.before === undefined ? 'created' : change.after === undefined ? 'removed' : 'changed'} ${shown(project, change.path)}`);

/** Without a deployment beside the topology, only the topology changed: say so, and how to run it anyway. */
const deploymentLines = (plan: MovePlan, topologyShown: string): string[] => [
  ...(plan.deployments.length > 0 ? [] : ['', `No compose file or kustomize tree beside ${topologyShown} runs it: only the topology changed.`]),
  ...plan.notes.map((note) => `Note: ${note}.`),
];

const deployCommands = (plan: MovePlan, topologyShown: string): string[] => [
  ...plan.deployments.map((deployment) => (deployment.endsWith('.yaml') || deployment.endsWith('.yml') ? `docker compose -f ${deployment} up -d --build` : `kubectl apply -k ${deployment}`)),
  `npx seam split --topology ${topologyShown}   (on this machine)`,
];

/** `source`: the topology the module left, when the result went to a file of its own (extracting from the monolith). */
export const extractionReport = (project: Project, plan: MovePlan, topologyFile: string, source?: string): string[] => {
  const topologyShown = shown(project, topologyFile);
  const { module, service } = plan;
  const variable = serviceUrlVariable(service);
  return [
    `${module} now runs in service "${service}"${plan.other ? ` (it left "${plan.other}")` : ''} of ${topologyShown}:`,
    ...changedFiles(project, plan),
    ...(source === undefined
      ? deploymentLines(plan, topologyShown)
      : ['', `${shown(project, source)} and its deployment are unchanged: the monolith runs as before until you deploy ${topologyShown}.`]),
    '',
    'Next steps:',
    `  1. Provision its database role ${databaseRoleOf(service)}: put its real URL in ${variable} (the deployment's secret), then`,
    `     DATABASE_ADMIN_URL=postgres://... ${variable}=postgres://${databaseRoleOf(service)}:...@.../... npx seam db provision --topology ${topologyShown}`,
    '     (with every other service\'s DATABASE_URL_<SERVICE> too; the db-provision job of compose and Kubernetes does the same on deploy)',
    '  2. Deploy it, one of:',
    ...deployCommands(plan, topologyShown).map((line) => `       ${line}`),
    `  3. Verify: "${service}" answers GET /readyz with 200 (kubectl -n seam rollout status deployment/${service}, or its compose healthcheck),`,
    `     and a request through the gateway that calls ${module} still answers (curl http://127.0.0.1:3000/api/v1/...).`,
    source === undefined ? `  Undo: npx seam merge ${module} --from ${topologyShown}` : `  Undo: npx seam extract --undo ${module}`,
  ];
};

export const mergeReport = (project: Project, plan: MovePlan, topologyFile: string): string[] => {
  const topologyShown = shown(project, topologyFile);
  return [
    `${plan.module} now runs in service "${plan.other}" of ${topologyShown}; service "${plan.service}" is gone:`,
    ...changedFiles(project, plan),
    ...deploymentLines(plan, topologyShown),
    '',
    'Next steps:',
    `  1. Provision again (npx seam db provision --topology ${topologyShown}): ${databaseRoleOf(plan.other ?? '')} takes over the ${plan.module} schema.`,
    '  2. Deploy, one of:',
    ...deployCommands(plan, topologyShown).map((line) => `       ${line}`),
    `     then delete what is left of "${plan.service}" (kubectl -n seam delete deployment,service ${plan.service}; docker compose ... up --remove-orphans).`,
    `  3. Verify: a request through the gateway that calls ${plan.module} still answers.`,
  ];
};
