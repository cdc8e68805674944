/**
 * Completion of the search box: the property names that exist (from
 * `GET search/names`) offered for the word under the cursor, where a property may
 * stand (at the start, after "(", "and", "or", "sort by").
 */
import { tokenize } from './expression';

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
  if (!propertyMayStand(text.slice(0, from))) {
    return null;
  }
  const typed = word[0].toLowerCase();
  const all = allProperties(names);
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

/** Whether a property may start after `prefix`. */
function propertyMayStand(prefix: string): boolean {
  let tokens;
  try {
    tokens = tokenize(prefix);
  } catch {
    return false;
  }
  const last = tokens[tokens.length - 2]; // the token before `end`
  if (!last) {
    return true;
  }
  if (last.kind === '(') {
    return true;
  }
  const word = last.kind === 'word' ? last.value.toLowerCase() : '';
  if (word === 'and' || word === 'or') {
    return true;
  }
  return (
    word === 'by' &&
    tokens.length >= 3 &&
    tokens[tokens.length - 3].value.toLowerCase() === 'sort'
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
