import { describe, expect, it } from '@jest/globals'
import {
  commandWords,
  optionValues,
  positionals,
  shellCommands,
  words,
} from '../../src/workflow/shell.js'

describe('shellCommands', () => {
  it.each([
    ['one command', 'docker push ghcr.io/a/b:1', [['docker', 'push', 'ghcr.io/a/b:1']]],
    [
      'lists and pipes split, expressions kept whole',
      'echo "${{ secrets.A || github.token }}" | docker login ghcr.io -u x --password-stdin && make push',
      [
        ['echo', '${{ secrets.A || github.token }}'],
        ['docker', 'login', 'ghcr.io', '-u', 'x', '--password-stdin'],
        ['make', 'push'],
      ],
    ],
    [
      'continuations joined, comments dropped',
      'docker buildx build \\\n  --push \\\n  -t ghcr.io/a/b . # build it\n# a whole comment line\n',
      [['docker', 'buildx', 'build', '--push', '-t', 'ghcr.io/a/b', '.']],
    ],
    [
      'redirections are not arguments',
      'docker push ghcr.io/a/b:1 2>&1 > /dev/null',
      [['docker', 'push', 'ghcr.io/a/b:1']],
    ],
    ["a '#' inside quotes stays", 'echo "a # b"', [['echo', 'a # b']]],
    [
      'command substitution is read as its own command, first; the word keeps it whole',
      'img=$(./ko build --bare .)',
      [['./ko', 'build', '--bare', '.'], ['img=$(./ko build --bare .)']],
    ],
    [
      'arguments after a substitution stay with their command',
      'skopeo copy oci-archive:$(ls *.rock) docker://ghcr.io/a/b:1 --dest-creds "u:t"',
      [
        ['ls', '*.rock'],
        [
          'skopeo',
          'copy',
          'oci-archive:$(ls *.rock)',
          'docker://ghcr.io/a/b:1',
          '--dest-creds',
          'u:t',
        ],
      ],
    ],
    [
      'a pipe inside a substitution does not split the assignment',
      'IMAGE=$(echo "$X" | tr A-Z a-z)',
      [['echo', '$X'], ['tr', 'A-Z', 'a-z'], ['IMAGE=$(echo $X | tr A-Z a-z)']],
    ],
    [
      'a subshell still separates its commands',
      '(cd app && docker push ghcr.io/a/b:1)',
      [
        ['cd', 'app'],
        ['docker', 'push', 'ghcr.io/a/b:1'],
      ],
    ],
  ])('%s', (_name, script, expected) => {
    expect(shellCommands(script).map((c) => c.words)).toEqual(expected)
  })

  it('keeps the whole line of a pipeline, for a token piped into a login', () => {
    const [echo, login] = shellCommands('echo "$CR_PAT" | docker login ghcr.io --password-stdin')
    expect(echo!.line).toBe(login!.line)
    expect(login!.index).toBe(1)
  })
})

describe('commandWords', () => {
  it.each([
    [['sudo', '-E', 'docker', 'push', 'x'], ['docker', 'push', 'x'], {}],
    [['KO_DOCKER_REPO=ghcr.io/a', 'ko', 'build'], ['ko', 'build'], { KO_DOCKER_REPO: 'ghcr.io/a' }],
    [['env', 'A=1', 'time', 'crane', 'copy'], ['crane', 'copy'], { A: '1' }],
    [['IMAGE=ghcr.io/a'], [], { IMAGE: 'ghcr.io/a' }],
  ])('%j', (input, expected, assigned) => {
    const r = commandWords(input)
    expect(r.words).toEqual(expected)
    expect(Object.fromEntries(r.assignments)).toEqual(assigned)
  })
})

describe('options and positionals', () => {
  const ws = words('oras push -u me --password=x ghcr.io/a/b:1 file.txt --artifact-type t')
  it('positionals skip options and the values of valued options', () => {
    expect(positionals(ws, 2, /^(-u|--artifact-type)$/)).toEqual(['ghcr.io/a/b:1', 'file.txt'])
  })
  it.each([
    [
      ['-t', 'a', '--tag=b', '-tc', '--tag', 'd'],
      ['-t', '--tag'],
      ['a', 'b', 'c', 'd'],
    ],
    [['--cache-to', 'type=registry,ref=x'], ['--cache-to'], ['type=registry,ref=x']],
    [['--push'], ['-t'], []],
  ])('optionValues(%j, %j) = %j', (input, names, expected) => {
    expect(optionValues(input, names)).toEqual(expected)
  })
})
