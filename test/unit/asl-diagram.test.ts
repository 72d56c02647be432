import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { aslToMermaid, embedDiagram, readDefinition, type AslDefinition } from '../../scripts/asl-diagram.js';

describe('Script: asl-diagram', () => {
  it('draws every Task with its function, every Choice rule in words and every Catch as an error edge', () => {
    // Prepare
    const definition: AslDefinition = {
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: { 'Fn::GetAtt': ['doWork', 'Arn'] }, Next: 'Again', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Undo' }] },
        Again: { Type: 'Choice', Choices: [{ Variable: '$.state.next', StringEquals: 'more', Next: 'Pause' }], Default: 'Ok' },
        Pause: { Type: 'Wait', SecondsPath: '$.state.seconds', Next: 'Work' },
        Ok: { Type: 'Succeed' },
        Undo: { Type: 'Fail' },
      },
    };
    // Act
    const mermaid = aslToMermaid(definition);
    // Assess
    expect(mermaid.split('\n')).toEqual(
      expect.arrayContaining([
        'stateDiagram-v2',
        '  [*] --> Work',
        '  Work : λ doWork',
        '  state Again <<choice>>',
        '  Pause : Wait state.seconds',
        '  Work --> Again',
        '  Work --> Undo : error',
        '  Again --> Pause : state.next = more',
        '  Again --> Ok : otherwise',
        '  Ok --> [*]',
        '  Undo --> [*]',
      ]),
    );
  });

  it('is committed as docs/state-machine.mmd and in docs/architecture.md exactly as generated (npm run diagram)', async () => {
    // Prepare
    const generated = aslToMermaid(readDefinition());
    const committed = await readFile(new URL('../../docs/state-machine.mmd', import.meta.url), 'utf8');
    const architecture = await readFile(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    // Assess
    expect(committed, 'docs/state-machine.mmd is stale: run `npm run diagram`').toBe(generated);
    expect(embedDiagram(architecture, generated), 'docs/architecture.md has a stale diagram: run `npm run diagram`').toBe(architecture);
  });
});
