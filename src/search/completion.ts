/**
 * Completion of the search box, for the word under the cursor: the property names that
 * exist (from `GET search/names`) where a property may stand (at the start, after "(",
 * "and", "or", "sort by"); the word operators after a property; the statuses
 * after `status =`; and "and", "or", "sort by" after a whole condition.
 */
import { IToken, KEYWORDS, tokenize } from './expression';

/** The names a search can use, as the names route lists them. */
export interface ISearchNames {
  Parameters: string[];
  Metrics: string[];
  Tags: string[];
}

/** What completing the word under the cursor offers. */
export interface ICompletion {
  /** Where the word starts and ends (the text a choice replaces). */
  from: number;
  to: number;
  /** The choices, best first. */
  options: string[];
}

const FIELDS = [
  'name',
  'displayname',
  'status',
  'experiment',
  'trial',
  'created',
  'modified',
  'started',
  'ended'
];
const STATS = ['max', 'min', 'last', 'avg'];
/** The operators that are words (the others are symbols, typed as they are). */
const WORD_OPERATORS = ['contains', 'in', 'exists', 'not exists'];
/** What may follow a whole condition. */
const CONNECTIVES = ['and', 'or', 'sort by'];
/** SageMaker's statuses of runs and training jobs. */
const STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];
/** The most choices shown. */
export const MAX_OPTIONS = 50;

/** Every property the box can complete, for these names. */
export function allProperties(names: ISearchNames): string[] {
  return [
    ...([] as string[]).concat(
      ...names.Metrics.map(m => STATS.map(s => `metrics.${m}.${s}`))
    ),
    ...names.Parameters.map(p => `parameters.${p}`),
    ...names.Tags.map(t => `tags.${t}`),
    ...FIELDS
  ];
}

/**
 * The completion at `cursor`, or null where no property may stand or nothing
 * matches.
 *
 * @param text - The expression.
 * @param cursor - The caret's offset.
 * @param names - The names that exist.
 */
export function complete(
  text: string,
  cursor: number,
  names: ISearchNames
): ICompletion | null {
  const before = text.slice(0, cursor);
  const word = /[A-Za-z_][\w\-:/@.]*$/.exec(before);
  const from = word ? cursor - word[0].length : cursor;
  if (!word) {
    return null;
  }
  const after = /^[\w\-:/@.]*/.exec(text.slice(cursor));
  const to = cursor + (after ? after[0].length : 0);
  const all = choicesAfter(text.slice(0, from), names);
  if (all.length === 0) {
    return null;
  }
  const typed = word[0].toLowerCase();
  const starts = all.filter(p => p.toLowerCase().startsWith(typed));
  const inside = all.filter(
    p => !p.toLowerCase().startsWith(typed) && p.toLowerCase().includes(typed)
  );
  const options = [...starts, ...inside].slice(0, MAX_OPTIONS);
  if (
    options.length === 0 ||
    (options.length === 1 && options[0] === word[0])
  ) {
    return null;
  }
  return { from, to, options };
}

/** What may be typed after `prefix`: properties, operators, statuses or connectives. */
function choicesAfter(prefix: string, names: ISearchNames): string[] {
  let tokens: IToken[];
  try {
    tokens = tokenize(prefix).slice(0, -1); // without `end`
  } catch {
    return [];
  }
  if (propertyMayStand(tokens, tokens.length)) {
    return allProperties(names);
  }
  const n = tokens.length;
  const last = tokens[n - 1];
  const lower = (i: number) =>
    i >= 0 && tokens[i].kind === 'word' ? tokens[i].value.toLowerCase() : '';
  const isProperty = (i: number) =>
    i >= 0 &&
    tokens[i].kind === 'word' &&
    !KEYWORDS.has(lower(i)) &&
    propertyMayStand(tokens, i) &&
    lower(i - 1) !== 'by'; // a sort key takes no operator
  if (isProperty(n - 1)) {
    return WORD_OPERATORS;
  }
  if (
    last.kind === 'op' &&
    (last.value === '=' || last.value === '!=') &&
    lower(n - 2) === 'status' &&
    isProperty(n - 2)
  ) {
    return STATUSES;
  }
  const afterOperator =
    n >= 3 &&
    last.kind !== 'op' &&
    last.kind !== '(' &&
    last.kind !== ',' &&
    (tokens[n - 2].kind === 'op' || lower(n - 2) === 'contains') &&
    isProperty(n - 3);
  if (afterOperator || lower(n - 1) === 'exists' || last.kind === ')') {
    return CONNECTIVES;
  }
  return [];
}

/** Whether a property may stand at token `i` (after the tokens before it). */
function propertyMayStand(tokens: readonly IToken[], i: number): boolean {
  if (i === 0) {
    return true;
  }
  const before = tokens[i - 1];
  if (before.kind === '(') {
    return true;
  }
  const word = before.kind === 'word' ? before.value.toLowerCase() : '';
  if (word === 'and' || word === 'or') {
    return true;
  }
  return (
    word === 'by' && i >= 2 && tokens[i - 2].value.toLowerCase() === 'sort'
  );
}

/**
 * The text with the word `completion` covers replaced by `option` (and a space).
 *
 * @returns The new text and the caret's offset after the inserted option.
 */
export function accept(
  text: string,
  completion: ICompletion,
  option: string
): { text: string; cursor: number } {
  const rest = text.slice(completion.to);
  const spaced = rest.startsWith(' ') ? option : `${option} `;
  return {
    text: text.slice(0, completion.from) + spaced + rest,
    cursor: completion.from + spaced.length
  };
}
