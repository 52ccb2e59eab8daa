/**
 * @module Checks the Grafana dashboards of deploy/observability: each names a provisioned
 * datasource on every panel, queries only metrics and labels the Seam processes expose
 * (test/support/metric-catalog.ts), lets the `service` variable narrow every panel, and never
 * groups or filters by an id-like label, which would make a series per order, user or process.
 */
import { panelsOf, queriesOf, readPromQL, type Dashboard, type DatasourceRef } from '../support/dashboards.js';
import { familyOfSeries, labelsOfSeries } from '../support/metric-catalog.js';

/** The oldest schema whose panels name datasources by { type, uid }; Grafana 11 and 12 migrate it on load. */
export const minimumSchemaVersion = 36;

/** A label whose values name one thing among many: grouping by it makes a series per order, user, pod or process. */
export const isIdLike = (label: string): boolean => label === 'instance' || /(^|_)(id|ids|uuid|ip|address|addr|pod|host|trace|span)$/.test(label);

/** `datasources`: each provisioned datasource's uid and type. */
export const checkDashboard = (file: string, dashboard: Dashboard, datasources: ReadonlyMap<string, string>): string[] => {
  const problems: string[] = [];
  const datasourceProblem = (where: string, datasource: DatasourceRef | string | null | undefined): void => {
    if (typeof datasource !== 'object' || datasource === null) problems.push(`${file}: ${where} names no datasource by { type, uid }`);
    else if (datasources.get(datasource.uid ?? '') !== datasource.type) problems.push(`${file}: ${where} uses datasource ${JSON.stringify(datasource)}, which is not provisioned`);
  };
  if (!dashboard.uid) problems.push(`${file}: no uid`);
  if (!dashboard.title) problems.push(`${file}: no title`);
  if ((dashboard.schemaVersion ?? 0) < minimumSchemaVersion) problems.push(`${file}: schemaVersion ${dashboard.schemaVersion}, expected ${minimumSchemaVersion} or later`);

  const variables = dashboard.templating?.list ?? [];
  if (!variables.some((variable) => variable.name === 'service')) problems.push(`${file}: no "service" variable`);
  for (const variable of variables.filter((candidate) => candidate.type === 'query')) datasourceProblem(`variable "${variable.name}"`, variable.datasource);

  const panels = panelsOf(dashboard).filter((panel) => panel.type !== 'row');
  if (panels.length === 0) problems.push(`${file}: no panels`);
  for (const panel of panels) {
    const where = `panel "${panel.title}"`;
    datasourceProblem(where, panel.datasource);
    const targets = panel.targets ?? [];
    if (!targets.some((target) => (target.expr ?? '').trim() !== '')) problems.push(`${file}: ${where} has no query`);
    for (const target of targets) {
      if (target.datasource !== undefined && JSON.stringify(target.datasource) !== JSON.stringify(panel.datasource)) problems.push(`${file}: ${where} query ${target.refId} uses another datasource than its panel`);
      if ((target.expr ?? '').trim() !== '' && !/\bservice=~"\$service"/.test(target.expr ?? '')) problems.push(`${file}: ${where} query ${target.refId} ignores the service variable (service=~"$service")`);
    }
  }

  let queries: ReturnType<typeof queriesOf> = [];
  try {
    queries = queriesOf(dashboard);
  } catch (error) {
    problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const query of queries) {
    const where = `${file}: ${query.where}`;
    let use: ReturnType<typeof readPromQL>;
    try {
      use = readPromQL(query.expr);
    } catch (error) {
      problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (use.metrics.length === 0) problems.push(`${where}: reads no metric`);
    for (const metric of use.metrics) if (!familyOfSeries(metric)) problems.push(`${where}: queries ${metric}, which no Seam process exposes (test/support/metric-catalog.ts)`);
    const known = new Set(use.metrics.flatMap(labelsOfSeries));
    for (const label of use.labels) {
      if (isIdLike(label)) problems.push(`${where}: groups or filters by "${label}", an id-like label`);
      else if (!known.has(label)) problems.push(`${where}: uses label "${label}", which none of ${use.metrics.join(', ')} has`);
    }
  }
  return problems;
};

/** Problems across dashboards: two with one uid, or one title, would replace each other in Grafana. */
export const checkDashboardSet = (dashboards: readonly { file: string; dashboard: Dashboard }[]): string[] => {
  const problems: string[] = [];
  for (const key of ['uid', 'title'] as const) {
    const seen = new Map<string, string>();
    for (const { file, dashboard } of dashboards) {
      const value = dashboard[key];
      if (value === undefined) continue;
      const other = seen.get(value);
      if (other !== undefined) problems.push(`${file} and ${other} share the ${key} ${JSON.stringify(value)}`);
      seen.set(value, file);
    }
  }
  return problems;
};
