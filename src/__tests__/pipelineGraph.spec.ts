import {
  buildGraph,
  createdModel,
  layoutGraph,
  NODE_HEIGHT,
  NODE_WIDTH,
  parseDefinition,
  registeredModel,
  stepJob,
  stepReferences
} from '../models/pipelineGraph';
import {
  definition,
  definitionBody,
  failedSteps,
  PREFIX,
  step
} from './pipelineFixtures';

function entries<T>(pairs: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  pairs.forEach(([key, value]) => (out[key] = value));
  return out;
}

const edgeList = (text = definition(), records = failedSteps()) =>
  buildGraph(parseDefinition(text), records)
    .edges.map(edge => `${edge.source}->${edge.target}:${edge.kind}`)
    .sort();

describe('parseDefinition', () => {
  it('lists the steps in the order written, a condition’s branches after it', () => {
    const parsed = parseDefinition(definition());
    expect(parsed.steps.map(s => [s.step.Name, s.parent, s.branch])).toEqual([
      ['Prepare', null, null],
      ['Train', null, null],
      ['Evaluate', null, null],
      ['Check', null, null],
      ['Register', 'Check', 'IfSteps'],
      ['TooLow', 'Check', 'ElseSteps']
    ]);
    expect(parsed.parameters.map(p => p.Name)).toEqual(['Threshold', 'Epochs']);
  });

  it('refuses what is not a JSON object', () => {
    expect(() => parseDefinition('[1]')).toThrow('not a JSON object');
    expect(() => parseDefinition('{')).toThrow();
  });
});

describe('stepReferences', () => {
  it('finds the steps of Get references, in Std:JsonGet and Std:Join too', () => {
    const found = stepReferences({
      a: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
      b: [{ 'Std:Join': { Values: [{ Get: 'Steps.Prep.Properties.X' }] } }],
      c: { Get: 'Parameters.Threshold' },
      d: { Get: 'Execution.PipelineExecutionId' },
      e: 'Steps.NotAReference'
    });
    expect([...found].sort()).toEqual(['Prep', 'Train']);
  });

  it('skips a condition’s branches (steps of their own)', () => {
    const found = stepReferences({
      IfSteps: [{ Arguments: { x: { Get: 'Steps.A.B' } } }],
      ElseSteps: [{ Arguments: { x: { Get: 'Steps.C.D' } } }]
    });
    expect(found.size).toBe(0);
  });
});

describe('buildGraph', () => {
  it('draws edges from references, DependsOn and a condition to its branches', () => {
    expect(edgeList()).toEqual([
      'Check->Register:true',
      'Check->TooLow:false',
      'Evaluate->Check:data',
      'Prepare->Train:data',
      'Train->Evaluate:depends',
      'Train->Register:data'
    ]);
  });

  it('keeps one edge per pair: a condition’s edge wins over DependsOn, a reference too', () => {
    const body = definitionBody();
    const steps = body.Steps as any[];
    steps[1].DependsOn = ['Prepare'];
    steps[3].Arguments.ElseSteps[0].DependsOn = ['Check'];
    const edges = edgeList(JSON.stringify(body));
    expect(edges).toContain('Prepare->Train:data');
    expect(edges).toContain('Check->TooLow:false');
    expect(
      edges.filter(edge => edge.startsWith('Prepare->Train'))
    ).toHaveLength(1);
    expect(edges.filter(edge => edge.startsWith('Check->TooLow'))).toHaveLength(
      1
    );
  });

  it('ignores self references and references to steps that do not exist', () => {
    const body = definitionBody();
    (body.Steps as any[])[0].Arguments.Self = { Get: 'Steps.Prepare.X' };
    (body.Steps as any[])[0].Arguments.Ghost = { Get: 'Steps.Ghost.X' };
    const edges = edgeList(JSON.stringify(body));
    expect(edges.some(edge => edge.includes('Ghost'))).toBe(false);
    expect(edges.some(edge => edge.startsWith('Prepare->Prepare'))).toBe(false);
  });

  it('colours each step by its status; those not started are NotStarted', () => {
    const graph = buildGraph(parseDefinition(definition()), [
      step('Prepare', 'Succeeded'),
      step('Train', 'Executing')
    ]);
    const statuses = entries(graph.nodes.map(node => [node.name, node.status]));
    expect(statuses).toEqual({
      Prepare: 'Succeeded',
      Train: 'Executing',
      Evaluate: 'NotStarted',
      Check: 'NotStarted',
      Register: 'NotStarted',
      TooLow: 'NotStarted'
    });
    expect(graph.edges.every(edge => edge.taken === null)).toBe(true);
  });

  it('marks cached steps, failure reasons, the outcome and the branch not taken', () => {
    const graph = buildGraph(parseDefinition(definition()), failedSteps());
    const node = (name: string) => graph.nodes.find(n => n.name === name)!;
    expect(node('Prepare').cachedFrom).toBe(
      `${PREFIX}:pipeline/churn/execution/older`
    );
    expect(node('Train').cachedFrom).toBeNull();
    expect(node('TooLow').status).toBe('Failed');
    expect(node('TooLow').failureReason).toBe('accuracy too low');
    expect(node('Check').outcome).toBe(false);
    expect(node('Register').skipped).toBe(true);
    expect(node('TooLow').skipped).toBe(false);
    const taken = entries(
      graph.edges
        .filter(edge => edge.source === 'Check')
        .map(edge => [edge.target, edge.taken])
    );
    expect(taken).toEqual({ Register: false, TooLow: true });
  });

  it('lists the steps the execution ran that the definition no longer has', () => {
    const graph = buildGraph(parseDefinition(definition()), [
      step('Prepare', 'Succeeded'),
      step('Gone', 'Failed')
    ]);
    expect(graph.missing).toEqual(['Gone']);
    expect(graph.nodes.map(node => node.name)).not.toContain('Gone');
    expect(
      buildGraph(parseDefinition(definition()), failedSteps()).missing
    ).toEqual([]);
  });

  it('reads a cache hit from Metadata.CacheHit as well', () => {
    const graph = buildGraph(parseDefinition(definition()), [
      step('Prepare', 'Succeeded', {
        Metadata: { CacheHit: { SourcePipelineExecutionArn: 'arn:x/older' } }
      })
    ]);
    expect(graph.nodes[0].cachedFrom).toBe('arn:x/older');
  });
});

describe('what a step produced', () => {
  const nodes = () =>
    buildGraph(parseDefinition(definition()), [
      ...failedSteps(),
      step('Register', 'Succeeded', {
        Metadata: {
          RegisterModel: {
            Arn: `${PREFIX}:model-package/churn-models/3`
          }
        }
      })
    ]).nodes;
  const node = (name: string) => nodes().find(n => n.name === name)!;

  it('names the job of a job step from its ARN', () => {
    expect(stepJob(node('Train'))).toEqual({
      kind: 'TrainingJob',
      name: 'pipelines-train'
    });
    expect(stepJob(node('Evaluate'))).toEqual({
      kind: 'ProcessingJob',
      name: 'pipelines-evaluate'
    });
    expect(stepJob(node('Check'))).toBeNull();
  });

  it('names the model package a RegisterModel step registered', () => {
    expect(registeredModel(node('Register'))).toEqual({
      group: 'churn-models',
      version: '3',
      arn: `${PREFIX}:model-package/churn-models/3`
    });
    expect(registeredModel(node('Train'))).toBeNull();
    expect(createdModel(node('Train'))).toBeNull();
  });
});

describe('layoutGraph', () => {
  it('lays the steps out top to bottom, each below what it waits for', () => {
    const graph = buildGraph(parseDefinition(definition()));
    const at = layoutGraph(graph);
    expect(at.size).toBe(6);
    for (const edge of graph.edges) {
      expect(at.get(edge.target)!.y).toBeGreaterThanOrEqual(
        at.get(edge.source)!.y + NODE_HEIGHT
      );
    }
    const branches = [at.get('Register')!, at.get('TooLow')!];
    expect(branches[0].y).toBe(branches[1].y);
    expect(Math.abs(branches[0].x - branches[1].x)).toBeGreaterThanOrEqual(
      NODE_WIDTH
    );
  });
});
