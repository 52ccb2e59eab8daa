/**
 * @module What the contract differ finds: a difference, which way it moves the set of allowed
 * values, and whether that breaks the readers or the senders of the schema.
 */

/** Whether the server receives what the schema describes (`input`) or callers read it (`output`). */
export type Direction = 'input' | 'output';

/**
 * How a difference moves the set of values a schema allows, from previous to current.
 * `changed` means it moved both ways (or no one can tell), so it is breaking either way.
 */
export type Effect = 'narrow' | 'widen' | 'changed' | 'removed' | 'added';

export interface Finding {
  readonly path: string;
  readonly effect: Effect;
  readonly text: string;
  /** A structural change ("removed", "made optional"): no "narrowed:"/"widened:" prefix. */
  readonly plain: boolean;
}

/** Compares two schemas at `path`, whichever way their differences go. */
export type CompareSchemas = (previous: unknown, current: unknown, path: string, context: Context) => Finding[];

export interface Context {
  readonly direction: Direction;
  readonly previousRoot: unknown;
  readonly currentRoot: unknown;
  /** Pairs of $refs already being compared: recursive schemas compare each pair once. */
  readonly seen: Set<string>;
  /**
   * How nested schemas (fields, items) are compared. Carried here rather than imported, so
   * the comparison of one node and of its children can live in separate files without a cycle.
   */
  readonly compare: CompareSchemas;
}

/** Narrowing breaks senders (an input), widening breaks readers (an output); removal breaks both. */
export const isBreaking = (effect: Effect, direction: Direction): boolean => {
  switch (effect) {
    case 'removed':
    case 'changed':
      return true;
    case 'added':
      return false;
    case 'narrow':
      return direction === 'input';
    case 'widen':
      return direction === 'output';
  }
};

/** A finding as a message: `<head>: field "<path>" <narrowed|widened>: <text>`. */
export const render = (head: string, finding: Finding, direction: Direction): string => {
  const where = finding.path === '' ? '' : `field "${finding.path}" `;
  const effect = finding.effect === 'changed' ? (direction === 'input' ? 'narrow' : 'widen') : finding.effect;
  const prefix = finding.plain ? '' : effect === 'narrow' ? 'narrowed: ' : effect === 'widen' ? 'widened: ' : '';
  return `${head}: ${where}${prefix}${finding.text}`;
};
