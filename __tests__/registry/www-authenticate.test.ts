import { describe, expect, it } from '@jest/globals'
import { parseWwwAuthenticate, type AuthChallenge } from '../../src/registry/www-authenticate.js'

describe('parseWwwAuthenticate', () => {
  it.each<[string, string, AuthChallenge[]]>([
    [
      'ghcr with placeholder scope',
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://ghcr.io/token',
            service: 'ghcr.io',
            scope: 'repository:user/image:pull',
          },
        },
      ],
    ],
    [
      'distribution insufficient_scope with a comma inside quotes',
      'Bearer realm="http://127.0.0.1:5003/token",service="test-registry",scope="repository:acme/app:pull,push",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'http://127.0.0.1:5003/token',
            service: 'test-registry',
            scope: 'repository:acme/app:pull,push',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    ['Basic', 'Basic realm="basic-realm"', [{ scheme: 'basic', params: { realm: 'basic-realm' } }]],
    [
      'two challenges joined by fetch',
      'Basic realm="a, b", Bearer realm="https://r.example/token", service=svc',
      [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'https://r.example/token', service: 'svc' } },
      ],
    ],
    [
      'case, spaces and escapes',
      'BEARER  Realm = "x\\"y" ,  Service=z',
      [{ scheme: 'bearer', params: { realm: 'x"y', service: 'z' } }],
    ],
    [
      'token68 then another challenge',
      'Negotiate abc==, Basic realm="r"',
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    ],
    ['bare scheme', 'Basic', [{ scheme: 'basic', params: {} }]],
    ['empty', '', []],
    [
      'unterminated quote',
      'Bearer realm="https://x',
      [{ scheme: 'bearer', params: { realm: 'https://x' } }],
    ],
  ])('%s', (_name, header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected)
  })

  it('never hangs on junk', () => {
    for (const junk of ['=,=,"', '"""', ',,,', '= = =', 'a=b=c,,"d', '\u0000\u0001']) {
      expect(Array.isArray(parseWwwAuthenticate(junk))).toBe(true)
    }
  })
})
