import {
  objectiveFigure,
  parallelFigure,
  parameterDimension
} from '../components/tuningFigures';
import { tuningConfig } from '../models/tuningSpec';
import { trial, trials, tuningJob } from './tuningFixtures';

describe('tuning figures', () => {
  const labels = {
    jobNumber: 'Training job number',
    objective: 'Objective',
    completed: 'Training job',
    stoppedEarly: 'Stopped early',
    bestSoFar: 'Best so far',
    best: 'Best'
  };

  it('charts each objective by job number, early stops apart, and the best so far', () => {
    const figure = objectiveFigure(
      trials(),
      'Maximize',
      'validation:accuracy',
      labels
    );
    const trace = (name: string) => figure.data.find(t => t.name === name)!;
    expect(trace('Training job').x).toEqual([1, 2, 4]);
    expect(trace('Stopped early').x).toEqual([3]);
    expect((trace('Stopped early').marker as { symbol: string }).symbol).toBe(
      'x'
    );
    expect(trace('Best so far').y).toEqual([0.62, 0.8, 0.8, 0.91]);
    expect((trace('Best so far').line as { shape: string }).shape).toBe('hv');
    expect(trace('Best').x).toEqual([4]);
    expect(trace('Best').customdata).toEqual(['tune-1-004-0a1b2c3d']);
    expect(figure.layout.xaxis?.range).toEqual([0.5, 6.5]);
  });

  it('maps categorical values to ticks in their range’s order', () => {
    const dimension = parameterDimension(
      'kernel',
      { name: 'kernel', kind: 'Categorical', values: ['linear', 'rbf'] },
      ['rbf', 'linear', 'sigmoid', undefined]
    )!;
    expect(dimension.values).toEqual([1, 0, 2, NaN]);
    expect(dimension.tickvals).toEqual([0, 1, 2]);
    expect(dimension.ticktext).toEqual(['linear', 'rbf', 'sigmoid']);
  });

  it('puts logarithmic ranges on a log axis labelled in values', () => {
    const dimension = parameterDimension(
      'learning_rate',
      {
        name: 'learning_rate',
        kind: 'Continuous',
        min: 0.001,
        max: 1,
        scaling: 'Logarithmic'
      },
      ['0.01', '0.1']
    )!;
    expect(dimension.label).toBe('learning_rate (log)');
    expect(dimension.values).toEqual([-2, -1]);
    expect(dimension.range).toEqual([-3, 0]);
    expect(dimension.tickvals).toEqual([-3, -2, -1, 0]);
    expect(dimension.ticktext).toEqual(['0.001', '0.01', '0.1', '1']);
    // Less than a decade: five even steps.
    const narrow = parameterDimension(
      'lr',
      {
        name: 'lr',
        kind: 'Continuous',
        min: 0.2,
        max: 0.8,
        scaling: 'Logarithmic'
      },
      ['0.4']
    )!;
    expect(narrow.ticktext).toEqual(['0.2', '0.283', '0.4', '0.566', '0.8']);
    const linear = parameterDimension(
      'n',
      { name: 'n', kind: 'Integer', min: 5, max: 50 },
      ['10', '20']
    )!;
    expect(linear).toEqual({ label: 'n', values: [10, 20], range: [5, 50] });
  });

  it('draws parallel coordinates of the scored jobs, coloured by the objective', () => {
    const config = tuningConfig(tuningJob());
    const figure = parallelFigure(
      trials(),
      ['n-estimators', 'learning_rate', 'kernel'],
      config.ranges,
      'Minimize',
      'loss'
    )!;
    const trace = figure.data[0] as unknown as {
      type: string;
      line: { color: number[]; reversescale: boolean };
      dimensions: { label: string; values: number[] }[];
    };
    expect(trace.type).toBe('parcoords');
    expect(trace.line.color).toEqual([0.62, 0.8, 0.55, 0.91]);
    expect(trace.line.reversescale).toBe(true);
    expect(trace.dimensions.map(d => d.label)).toEqual([
      'n-estimators',
      'learning_rate (log)',
      'kernel',
      'loss'
    ]);
    expect(trace.dimensions[2].values).toEqual([1, 2, 0, 1]);
    expect(
      parallelFigure([trial(1, null)], ['x'], [], 'Maximize', 'loss')
    ).toBeNull();
  });
});
