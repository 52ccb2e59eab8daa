/**
 * @module Reads the Grafana dashboards of deploy/observability: their panels, the PromQL each
 * panel and template variable sends, and the metric names and labels those queries use.
 * `queriedMetricNames` is what a scrape of a running deployment must expose for every panel
 * to show data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const dashboardsDir = join(import.meta.dirname, '..', '..', 'deploy', 'observability', 'grafana', 'dashboards');

// Only the fields read here; everything is optional because the input is checked, not trusted.
export interface DatasourceRef { type?: string; uid?: string }
export interface PanelTarget { refId?: string; expr?: string; datasource?: DatasourceRef }
export interface Panel { id?: number; type?: string; title?: string; datasource?: DatasourceRef | string | null; targets?: PanelTarget[]; panels?: Panel[] }
export interface Variable { name?: string; type?: string; datasource?: DatasourceRef | string | null; query?: string | { query?: string }; definition?: string }
export interface Dashboard { uid?: string; title?: string; schemaVersion?: number; panels?: Panel[]; templating?: { list?: Variable[] } }
export interface DashboardFile { readonly file: string; readonly dashboard: Dashboard }

/** Every dashboard JSON in `dir`, by file name; a file that does not parse fails naming it. */
export const loadDashboards = (dir: string = dashboardsDir): DashboardFile[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      try {
        return { file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard };
      } catch (error) {
        throw new Error(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
    });

/** Every panel, including those inside (collapsed) rows, rows themselves too. */
export const panelsOf = (dashboard: Dashboard): Panel[] => (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);

export interface Query {
  /** Where the query sits, for messages: `panel "Calls by method" query A`. */
  readonly where: string;
  readonly expr: string;
}

/**
 * A Prometheus variable query as the PromQL it amounts to: `label_values(m{…}, l)` reads the
 * same series as `group by (l) (m{…})`. Other forms name no metric and are refused.
 */
const variableExpr = (query: string): string => {
  const labelValues = /^label_values\((.+),\s*([A-Za-z_]\w*)\s*\)$/s.exec(query.trim());
  if (labelValues) return `group by (${labelValues[2]}) (${labelValues[1]})`;
  const result = /^query_result\((.+)\)$/s.exec(query.trim());
  if (result?.[1] !== undefined) return result[1];
  throw new Error(`the variable query ${JSON.stringify(query)} names no metric: use label_values(metric, label)`);
};

/** The PromQL of every panel target and every query variable of `dashboard`. */
export const queriesOf = (dashboard: Dashboard): Query[] => {
  const fromPanels = panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).filter((target) => (target.expr ?? '').trim() !== '').map((target) => ({ where: `panel "${panel.title}" query ${target.refId}`, expr: target.expr ?? '' })),
  );
  const fromVariables = (dashboard.templating?.list ?? [])
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? variable.definition ?? '');
      return { where: `variable "${variable.name}"`, expr: variableExpr(query) };
    });
  return [...fromPanels, ...fromVariables];
};

// ---- PromQL ------------------------------------------------------------------------------

type TokenKind = 'string' | 'variable' | 'identifier' | 'number' | 'punctuation';
interface Token { readonly kind: TokenKind; readonly text: string }

// Grafana's variables first: `[[name]]` would otherwise read as a range.
const tokenPattern =
  /\s+|#[^\n]*|(?<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|(?<variable>\$\{[^}]+\}|\$\w+|\[\[\w+\]\])|(?<identifier>[A-Za-z_:][\w:]*)|(?<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[A-Za-z\d]*)|(?<punctuation>==|!=|=~|!~|>=|<=|[-+*/%^=<>(){}[\],@:])/y;

const tokenize = (expr: string): Token[] => {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < expr.length) {
    const at = tokenPattern.lastIndex;
    const match = tokenPattern.exec(expr);
    if (!match) throw new Error(`unexpected ${JSON.stringify(expr.slice(at, at + 10))} at character ${at} of ${expr}`);
    const kind = (Object.keys(match.groups ?? {}) as TokenKind[]).find((name) => match.groups?.[name] !== undefined);
    if (kind) tokens.push({ kind, text: match[0] });
  }
  return tokens;
};

const aggregations = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const groupings = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan', 'group_left', 'group_right']);

const unquote = (text: string): string => (text.startsWith('`') ? text.slice(1, -1) : (JSON.parse(text.startsWith("'") ? `"${text.slice(1, -1).replace(/"/g, '\\"')}"` : text) as string));

export interface PromQLUse {
  /** Metric names as written (a histogram's `_bucket`, `_count`, `_sum`). */
  readonly metrics: string[];
  /** Labels the query matches on or groups by (`by`, `without`, `on`, `ignoring`, `group_left`). */
  readonly labels: string[];
}

/** The metrics and labels one PromQL expression uses; throws on what it cannot read. */
export const readPromQL = (expr: string): PromQLUse => {
  const tokens = tokenize(expr);
  const metrics = new Set<string>();
  const labels = new Set<string>();
  const closing = (open: number, close: string): number => {
    const end = tokens.findIndex((token, index) => index > open && token.text === close);
    if (end === -1) throw new Error(`"${tokens[open]?.text}" is never closed in ${expr}`);
    return end;
  };
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as Token;
    const next = tokens[index + 1];
    if (token.text === '[') {
      index = closing(index, ']');
    } else if (token.text === '{') {
      const end = closing(index, '}');
      // Matchers: `label op "value"` items, or a quoted metric name alone.
      for (let item = index + 1; item < end; item += 1) {
        const name = tokens[item] as Token;
        if (name.text === ',') continue;
        const op = tokens[item + 1];
        const value = tokens[item + 2];
        const label = name.kind === 'string' ? unquote(name.text) : name.text;
        if (!op || op.text === ',' || item + 1 === end) {
          metrics.add(label);
          continue;
        }
        if (value?.kind !== 'string' && value?.kind !== 'variable') throw new Error(`label matcher ${label}${op.text} takes a quoted value in ${expr}`);
        if (label === '__name__') {
          if (op.text !== '=' || value.kind !== 'string') throw new Error(`${expr} picks metrics by ${label}${op.text}${value.text}: name them`);
          metrics.add(unquote(value.text));
        } else {
          labels.add(label);
        }
        item += 2;
      }
      index = end;
    } else if (token.kind === 'identifier' && groupings.has(token.text) && next?.text === '(') {
      const end = closing(index + 1, ')');
      for (const label of tokens.slice(index + 2, end)) if (label.kind === 'identifier') labels.add(label.text);
      index = end;
    } else if (token.kind === 'identifier' && next?.text !== '(' && !aggregations.has(token.text) && !keywords.has(token.text)) {
      metrics.add(token.text);
    } else if (token.kind === 'variable') {
      throw new Error(`${expr} uses ${token.text} outside a label value or a range: the metrics it reads cannot be known`);
    }
  }
  return { metrics: [...metrics], labels: [...labels] };
};

/** Every metric name (as scraped: `_bucket`, `_count`…) any panel or variable of the dashboards in `dir` queries, sorted. */
export const queriedMetricNames = (dir: string = dashboardsDir): string[] => {
  const names = new Set<string>();
  for (const { dashboard } of loadDashboards(dir)) for (const query of queriesOf(dashboard)) for (const metric of readPromQL(query.expr).metrics) names.add(metric);
  return [...names].sort();
};
