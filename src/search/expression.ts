/**
 * The search box's expression language, turned into SageMaker's SearchExpression:
 *
 *     metrics.accuracy.max > 0.9 and parameters.lr < 0.01
 *     (tags.team = "vision" or name contains "resnet") and status = Completed
 *     created >= 2026-01-01 sort by metrics.loss.min asc
 *
 * Properties: `metrics.<name>[.max|.min|.last|.avg|.count|.stddev]`,
 * `parameters.<name>` (`params.`), `hyperparameters.<name>`, `tags.<key>`, `name`,
 * `displayname`, `status`, `experiment`, `trial`, `created`, `modified`, `started`,
 * `ended`; anything else is passed as SageMaker's property name. Operators: `=`,
 * `!=`, `<`, `<=`, `>`, `>=`, `contains`, `in (a, b)`, `exists`, `not exists`;
 * `and` binds tighter than `or`; parentheses group. Values: numbers, quoted strings,
 * bare words, dates and times (`2026-01-01`, `2026-01-01T12:00:00Z`). A trailing
 * `sort by <property> [asc|desc]` sets the sort. Errors carry the position.
 */

/** SageMaker's Search resources the box searches. */
export type SearchResource = 'ExperimentTrialComponent' | 'TrainingJob';

export type FilterOperator =
  | 'Equals'
  | 'NotEquals'
  | 'GreaterThan'
  | 'GreaterThanOrEqualTo'
  | 'LessThan'
  | 'LessThanOrEqualTo'
  | 'Contains'
  | 'Exists'
  | 'NotExists'
  | 'In';

export interface ISearchFilter {
  Name: string;
  Operator: FilterOperator;
  Value?: string;
}

export interface ISearchExpression {
  Filters?: ISearchFilter[];
  SubExpressions?: ISearchExpression[];
  Operator?: 'And' | 'Or';
}

/** What an expression asks for: the SearchExpression and, if given, the sort. */
export interface IParsedSearch {
  expression: ISearchExpression;
  sortBy?: string;
  sortOrder?: 'Ascending' | 'Descending';
  /** The property names the expression uses, in order (for the results' columns). */
  properties: string[];
}

/** A mistake in an expression, at `position` (0-based) for `length` characters. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly position: number,
    readonly length = 1
  ) {
    super(`${message} (at ${position + 1})`);
    this.name = 'ExpressionError';
  }
}

type TokenKind =
  'word' | 'string' | 'number' | 'time' | 'op' | '(' | ')' | ',' | 'end';

export interface IToken {
  kind: TokenKind;
  text: string;
  /** The value: a string's contents, else the text. */
  value: string;
  position: number;
}

const COMPARISONS: Record<string, FilterOperator> = {
  '=': 'Equals',
  '==': 'Equals',
  '!=': 'NotEquals',
  '<>': 'NotEquals',
  '>': 'GreaterThan',
  '>=': 'GreaterThanOrEqualTo',
  '<': 'LessThan',
  '<=': 'LessThanOrEqualTo'
};
const STATISTICS: Record<string, string> = {
  max: 'Max',
  min: 'Min',
  last: 'Last',
  avg: 'Avg',
  count: 'Count',
  stddev: 'StdDev'
};
export const KEYWORDS: ReadonlySet<string> = new Set([
  'and',
  'or',
  'not',
  'contains',
  'in',
  'exists'
]);
const TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const WORD = /^[A-Za-z_][\w\-:/@.]*/;

/** The tokens of an expression (an `end` token last). */
export function tokenize(text: string): IToken[] {
  const tokens: IToken[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const c = text[i];
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, value: c, position: i });
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) {
          j += 1;
        }
        value += text[j];
        j += 1;
      }
      if (j >= text.length) {
        throw new ExpressionError('Unclosed quote', i, text.length - i);
      }
      tokens.push({
        kind: 'string',
        text: text.slice(i, j + 1),
        value,
        position: i
      });
      i = j + 1;
      continue;
    }
    const op = /^(?:>=|<=|!=|<>|==|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', text: op[0], value: op[0], position: i });
      i += op[0].length;
      continue;
    }
    const match =
      (TIME.exec(rest) && { kind: 'time' as const, m: TIME.exec(rest)! }) ||
      (NUMBER.exec(rest) && {
        kind: 'number' as const,
        m: NUMBER.exec(rest)!
      }) ||
      (WORD.exec(rest) && { kind: 'word' as const, m: WORD.exec(rest)! });
    if (!match) {
      throw new ExpressionError(`Unexpected character "${c}"`, i);
    }
    const word = match.m[0];
    tokens.push({ kind: match.kind, text: word, value: word, position: i });
    i += word.length;
  }
  tokens.push({ kind: 'end', text: '', value: '', position: text.length });
  return tokens;
}

/**
 * SageMaker's property name of a property the box writes.
 *
 * @param text - `metrics.accuracy.max`, `params.lr`, `status`, ...
 * @param resource - Runs or training jobs (their names differ).
 */
export function propertyName(
  text: string,
  resource: SearchResource = 'ExperimentTrialComponent'
): string {
  const [head, ...rest] = text.split('.');
  const lower = head.toLowerCase();
  const jobs = resource === 'TrainingJob';
  if (rest.length > 0) {
    if (lower === 'metrics' || lower === 'metric') {
      const last = rest[rest.length - 1].toLowerCase();
      if (rest.length > 1 && last in STATISTICS) {
        return `Metrics.${rest.slice(0, -1).join('.')}.${STATISTICS[last]}`;
      }
      return `Metrics.${rest.join('.')}`;
    }
    if (['parameters', 'params', 'parameter', 'param'].includes(lower)) {
      return `${jobs ? 'HyperParameters' : 'Parameters'}.${rest.join('.')}`;
    }
    if (lower === 'hyperparameters') {
      return `HyperParameters.${rest.join('.')}`;
    }
    if (lower === 'tags' || lower === 'tag') {
      return `Tags.${rest.join('.')}`;
    }
    return text;
  }
  const fields: Record<string, string> = jobs
    ? {
        name: 'TrainingJobName',
        status: 'TrainingJobStatus',
        created: 'CreationTime',
        modified: 'LastModifiedTime',
        started: 'TrainingStartTime',
        ended: 'TrainingEndTime',
        experiment: 'ExperimentConfig.ExperimentName'
      }
    : {
        name: 'TrialComponentName',
        displayname: 'DisplayName',
        status: 'Status.PrimaryStatus',
        created: 'CreationTime',
        modified: 'LastModifiedTime',
        started: 'StartTime',
        ended: 'EndTime',
        experiment: 'Parents.ExperimentName',
        trial: 'Parents.TrialName'
      };
  return fields[lower] ?? text;
}

/**
 * Parse an expression into SageMaker's SearchExpression.
 *
 * @param text - The expression (empty: every record).
 * @param resource - What is searched (property names differ).
 * @returns The expression, the sort if one is given and the properties used.
 * @throws ExpressionError - with the position of the mistake.
 */
export function parseSearch(
  text: string,
  resource: SearchResource = 'ExperimentTrialComponent'
): IParsedSearch {
  return new Parser(tokenize(text), resource).parse();
}

type Node =
  | { kind: 'filter'; filter: ISearchFilter }
  | { kind: 'And' | 'Or'; children: Node[] };

class Parser {
  private i = 0;
  private readonly properties: string[] = [];

  constructor(
    private readonly tokens: IToken[],
    private readonly resource: SearchResource
  ) {}

  parse(): IParsedSearch {
    let expression: ISearchExpression = {};
    if (!this.atSort() && this.peek().kind !== 'end') {
      expression = toExpression(this.or());
    }
    const out: IParsedSearch = { expression, properties: this.properties };
    if (this.atSort()) {
      this.i += 2;
      const property = this.property('a property to sort by');
      out.sortBy = property;
      const order = this.peek();
      if (
        order.kind === 'word' &&
        /^(asc|ascending|desc|descending)$/i.test(order.value)
      ) {
        out.sortOrder = /^asc/i.test(order.value) ? 'Ascending' : 'Descending';
        this.i += 1;
      }
    }
    const end = this.peek();
    if (end.kind !== 'end') {
      throw new ExpressionError(
        `Expected "and", "or" or the end, found "${end.text}"`,
        end.position,
        end.text.length
      );
    }
    return out;
  }

  private peek(): IToken {
    return this.tokens[this.i];
  }

  private isWord(token: IToken, word: string): boolean {
    return token.kind === 'word' && token.value.toLowerCase() === word;
  }

  private atSort(): boolean {
    return (
      this.isWord(this.peek(), 'sort') &&
      this.isWord(this.tokens[this.i + 1] ?? this.peek(), 'by')
    );
  }

  private or(): Node {
    const children = [this.and()];
    while (this.isWord(this.peek(), 'or')) {
      this.i += 1;
      children.push(this.and());
    }
    return children.length === 1 ? children[0] : { kind: 'Or', children };
  }

  private and(): Node {
    const children = [this.primary()];
    while (this.isWord(this.peek(), 'and')) {
      this.i += 1;
      children.push(this.primary());
    }
    return children.length === 1 ? children[0] : { kind: 'And', children };
  }

  private primary(): Node {
    const token = this.peek();
    if (token.kind === '(') {
      this.i += 1;
      const inner = this.or();
      const close = this.peek();
      if (close.kind !== ')') {
        throw new ExpressionError(
          'Expected ")" to close "("',
          close.position,
          Math.max(1, close.text.length)
        );
      }
      this.i += 1;
      return inner;
    }
    return { kind: 'filter', filter: this.comparison() };
  }

  private property(what: string): string {
    const token = this.peek();
    if (token.kind !== 'word' || KEYWORDS.has(token.value.toLowerCase())) {
      throw new ExpressionError(
        token.kind === 'end'
          ? `Expected ${what} at the end`
          : `Expected ${what}, found "${token.text}"`,
        token.position,
        Math.max(1, token.text.length)
      );
    }
    if (token.value.endsWith('.') || token.value.includes('..')) {
      throw new ExpressionError(
        `Incomplete property "${token.text}"`,
        token.position,
        token.text.length
      );
    }
    this.i += 1;
    return propertyName(token.value, this.resource);
  }

  private comparison(): ISearchFilter {
    const name = this.property(
      'a property (metrics.<name>.max, parameters.<name>, ...)'
    );
    this.properties.push(name);
    const token = this.peek();
    if (token.kind === 'op') {
      this.i += 1;
      return {
        Name: name,
        Operator: COMPARISONS[token.value],
        Value: this.value()
      };
    }
    if (this.isWord(token, 'contains')) {
      this.i += 1;
      return { Name: name, Operator: 'Contains', Value: this.value() };
    }
    if (this.isWord(token, 'exists')) {
      this.i += 1;
      return { Name: name, Operator: 'Exists' };
    }
    if (
      this.isWord(token, 'not') &&
      this.isWord(this.tokens[this.i + 1], 'exists')
    ) {
      this.i += 2;
      return { Name: name, Operator: 'NotExists' };
    }
    if (this.isWord(token, 'in')) {
      this.i += 1;
      return { Name: name, Operator: 'In', Value: this.list().join(',') };
    }
    throw new ExpressionError(
      token.kind === 'end'
        ? 'Expected an operator (=, !=, <, <=, >, >=, contains, in, exists) at the end'
        : `Expected an operator (=, !=, <, <=, >, >=, contains, in, exists), found "${token.text}"`,
      token.position,
      Math.max(1, token.text.length)
    );
  }

  private value(): string {
    const token = this.peek();
    const ok =
      token.kind === 'string' ||
      token.kind === 'number' ||
      token.kind === 'time' ||
      (token.kind === 'word' &&
        !['and', 'or'].includes(token.value.toLowerCase()));
    if (!ok) {
      throw new ExpressionError(
        token.kind === 'end'
          ? 'Expected a value at the end'
          : `Expected a value, found "${token.text}"`,
        token.position,
        Math.max(1, token.text.length)
      );
    }
    this.i += 1;
    return token.value;
  }

  private list(): string[] {
    const open = this.peek();
    if (open.kind !== '(') {
      throw new ExpressionError('Expected "(" after "in"', open.position);
    }
    this.i += 1;
    const values = [this.value()];
    while (this.peek().kind === ',') {
      this.i += 1;
      values.push(this.value());
    }
    const close = this.peek();
    if (close.kind !== ')') {
      throw new ExpressionError(
        'Expected "," or ")" in the list',
        close.position
      );
    }
    this.i += 1;
    return values;
  }
}

function toExpression(node: Node): ISearchExpression {
  if (node.kind === 'filter') {
    return { Filters: [node.filter] };
  }
  const filters: ISearchFilter[] = [];
  const subs: ISearchExpression[] = [];
  for (const child of node.children) {
    if (child.kind === 'filter') {
      filters.push(child.filter);
    } else {
      subs.push(toExpression(child));
    }
  }
  const out: ISearchExpression = { Operator: node.kind };
  if (filters.length > 0) {
    out.Filters = filters;
  }
  if (subs.length > 0) {
    out.SubExpressions = subs;
  }
  return out;
}
