import { accept, complete, ISearchNames } from '../search/completion';
import {
  ExpressionError,
  parseSearch,
  propertyName
} from '../search/expression';

const NAMES: ISearchNames = {
  Parameters: ['lr', 'optimizer'],
  Metrics: ['accuracy', 'loss'],
  Tags: ['team']
};

function errorOf(text: string): ExpressionError {
  try {
    parseSearch(text);
  } catch (error) {
    return error as ExpressionError;
  }
  throw new Error(`no error for ${text}`);
}

describe('parseSearch', () => {
  it('turns and-ed comparisons into one expression of filters', () => {
    const parsed = parseSearch(
      'metrics.accuracy.max > 0.9 and parameters.lr < 0.01'
    );
    expect(parsed.expression).toEqual({
      Operator: 'And',
      Filters: [
        { Name: 'Metrics.accuracy.Max', Operator: 'GreaterThan', Value: '0.9' },
        { Name: 'Parameters.lr', Operator: 'LessThan', Value: '0.01' }
      ]
    });
    expect(parsed.properties).toEqual([
      'Metrics.accuracy.Max',
      'Parameters.lr'
    ]);
    expect(parsed.sortBy).toBeUndefined();
  });

  it('binds and tighter than or, and parentheses group', () => {
    const parsed = parseSearch(
      'tags.team = "vision team" or name contains \'resnet\' and status = Completed'
    );
    expect(parsed.expression).toEqual({
      Operator: 'Or',
      Filters: [
        { Name: 'Tags.team', Operator: 'Equals', Value: 'vision team' }
      ],
      SubExpressions: [
        {
          Operator: 'And',
          Filters: [
            {
              Name: 'TrialComponentName',
              Operator: 'Contains',
              Value: 'resnet'
            },
            {
              Name: 'Status.PrimaryStatus',
              Operator: 'Equals',
              Value: 'Completed'
            }
          ]
        }
      ]
    });
    const grouped = parseSearch(
      '(metrics.loss.min <= 0.1 or metrics.loss.last < 0.2) and params.optimizer != sgd'
    );
    expect(grouped.expression).toEqual({
      Operator: 'And',
      Filters: [
        { Name: 'Parameters.optimizer', Operator: 'NotEquals', Value: 'sgd' }
      ],
      SubExpressions: [
        {
          Operator: 'Or',
          Filters: [
            {
              Name: 'Metrics.loss.Min',
              Operator: 'LessThanOrEqualTo',
              Value: '0.1'
            },
            { Name: 'Metrics.loss.Last', Operator: 'LessThan', Value: '0.2' }
          ]
        }
      ]
    });
  });

  it('reads dates, lists, exists and a sort', () => {
    const parsed = parseSearch(
      'created >= 2026-01-01T12:00:00Z and params.optimizer in (adam, "sgd") and tags.team exists and tags.owner not exists sort by metrics.accuracy.avg asc'
    );
    expect(parsed.expression.Filters).toEqual([
      {
        Name: 'CreationTime',
        Operator: 'GreaterThanOrEqualTo',
        Value: '2026-01-01T12:00:00Z'
      },
      { Name: 'Parameters.optimizer', Operator: 'In', Value: 'adam,sgd' },
      { Name: 'Tags.team', Operator: 'Exists' },
      { Name: 'Tags.owner', Operator: 'NotExists' }
    ]);
    expect(parsed.sortBy).toBe('Metrics.accuracy.Avg');
    expect(parsed.sortOrder).toBe('Ascending');
    expect(parseSearch('').expression).toEqual({});
    expect(parseSearch('metrics.loss = 1e-3').expression.Filters).toEqual([
      { Name: 'Metrics.loss', Operator: 'Equals', Value: '1e-3' }
    ]);
  });

  it('names training job properties as SageMaker does', () => {
    expect(propertyName('params.eta', 'TrainingJob')).toBe(
      'HyperParameters.eta'
    );
    expect(propertyName('status', 'TrainingJob')).toBe('TrainingJobStatus');
    expect(propertyName('experiment')).toBe('Parents.ExperimentName');
    expect(propertyName('Source.SourceArn')).toBe('Source.SourceArn');
  });

  it('says where an expression is wrong', () => {
    const missingValue = errorOf('metrics.accuracy.max >');
    expect(missingValue.message).toMatch(/Expected a value at the end/);
    expect(missingValue.position).toBe(22);
    const noOperator = errorOf('metrics.accuracy.max 0.9');
    expect(noOperator.message).toMatch(/Expected an operator/);
    expect(noOperator.position).toBe(21);
    expect(noOperator.length).toBe(3);
    const unclosed = errorOf('(params.lr < 1');
    expect(unclosed.message).toMatch(/Expected "\)"/);
    expect(unclosed.position).toBe(14);
    expect(errorOf('name = "abc').position).toBe(7);
    expect(errorOf('params.lr < 1 params.x > 2').message).toMatch(
      /Expected "and", "or" or the end, found "params.x"/
    );
    expect(errorOf('metrics. > 1').message).toMatch(/Incomplete property/);
    expect(errorOf('name = #').position).toBe(7);
  });
});

describe('complete', () => {
  it('offers the names that exist where a property may stand', () => {
    const first = complete('metrics.acc', 11, NAMES)!;
    expect(first.options).toEqual([
      'metrics.accuracy.max',
      'metrics.accuracy.min',
      'metrics.accuracy.last',
      'metrics.accuracy.avg'
    ]);
    expect(first.from).toBe(0);
    const text = 'metrics.accuracy.max > 0.9 and par';
    const second = complete(text, text.length, NAMES)!;
    expect(second.options).toEqual(['parameters.lr', 'parameters.optimizer']);
    expect(accept(text, second, 'parameters.lr')).toEqual({
      text: 'metrics.accuracy.max > 0.9 and parameters.lr ',
      cursor: text.length - 3 + 'parameters.lr '.length
    });
    // words containing the text come after those starting with it
    expect(complete('(team', 5, NAMES)!.options).toEqual(['tags.team']);
    expect(complete('x sort by los', 13, NAMES)!.options[0]).toBe(
      'metrics.loss.max'
    );
  });

  it('offers nothing for a value or where nothing is typed', () => {
    expect(complete('params.lr < ad', 14, NAMES)).toBeNull();
    expect(complete('params.lr ', 10, NAMES)).toBeNull();
    expect(complete('zzz', 3, NAMES)).toBeNull();
    expect(complete('tags.team = vis', 15, NAMES)).toBeNull();
    expect(complete('sort by parameters.lr co', 24, NAMES)).toBeNull();
  });

  it('offers the word operators after a property', () => {
    expect(complete('parameters.lr co', 16, NAMES)!.options).toEqual([
      'contains'
    ]);
    // a word containing the text comes after those starting with it
    expect(complete('(tags.team e', 12, NAMES)!.options).toEqual([
      'exists',
      'not exists'
    ]);
    expect(complete('x > 1 and name no', 17, NAMES)!.options).toEqual([
      'not exists'
    ]);
    const text = 'tags.team n';
    const choice = complete(text, text.length, NAMES)!;
    expect(accept(text, choice, 'not exists').text).toBe(
      'tags.team not exists '
    );
  });

  it('offers the statuses after status = or !=', () => {
    expect(complete('status = Comp', 13, NAMES)!.options).toEqual([
      'Completed'
    ]);
    expect(complete('x > 1 and status != St', 22, NAMES)!.options).toEqual([
      'Stopping',
      'Stopped'
    ]);
    expect(complete('name = Comp', 11, NAMES)).toBeNull();
  });

  it('offers and, or, sort by after a whole condition', () => {
    expect(complete('metrics.loss.min < 0.1 a', 24, NAMES)!.options).toEqual([
      'and'
    ]);
    expect(complete('name contains "x" o', 19, NAMES)!.options).toEqual([
      'or',
      'sort by'
    ]);
    expect(complete('tags.team exists s', 18, NAMES)!.options).toEqual([
      'sort by'
    ]);
    expect(
      complete('status in (Failed, Stopped) o', 29, NAMES)!.options
    ).toEqual(['or', 'sort by']);
    // still a property after the connective
    expect(complete('name = "a" and par', 18, NAMES)!.options[0]).toBe(
      'parameters.lr'
    );
  });
});
