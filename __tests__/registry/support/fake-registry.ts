// A scriptable ghcr-shaped registry on loopback: the /v2/ challenge, a token service and the
// upload endpoint, each answering what the test says, with every request recorded.

import type { ServerResponse } from 'node:http'
import { reply, startServer, type TestServer } from '../../http/support/test-server.js'

export interface Answer {
  status: number
  body?: string
  headers?: Record<string, string>
}

export interface FakeRegistryScript {
  /** Answer to GET /v2/; default: Bearer challenge pointing at this server's /token. */
  challenge?: (self: string) => Answer
  /** Answer to GET /token; default: 200 {"token": base64 of the Basic credential}, as ghcr does. */
  token?: (authorization: string | undefined) => Answer
  /** Answer to POST /v2/<repo>/blobs/uploads/; default 202 with an absolute Location. */
  upload?: (self: string, authorization: string | undefined) => Answer
  /** Answer to DELETE of the upload session; default 405, as ghcr does. */
  cancel?: Answer
}

export const ghcrChallenge = (self: string): Answer => ({
  status: 401,
  // ghcr's real shape, including the placeholder scope a client must not reuse.
  headers: {
    'www-authenticate': `Bearer realm="${self}/token",service="ghcr.io",scope="repository:user/image:pull"`,
    'content-type': 'application/json',
  },
  body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
})

export const registryError = (status: number, code: string, message: string): Answer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ errors: [{ code, message }] }),
})

export async function startFakeRegistry(
  script: FakeRegistryScript = {},
  host = '127.0.0.1',
): Promise<TestServer> {
  const send = (res: ServerResponse, a: Answer): void =>
    reply(res, a.status, a.body ?? '', a.headers)
  const server: TestServer = await startServer((req, res) => {
    const self = server.url
    const auth = req.headers.authorization
    const path = (req.url ?? '').split('?')[0]
    if (req.method === 'GET' && path === '/v2/')
      return send(res, (script.challenge ?? ghcrChallenge)(self))
    if (req.method === 'GET' && path === '/token') {
      if (script.token) return send(res, script.token(auth))
      const token = (auth ?? '').replace(/^Basic /, '')
      return send(res, { status: 200, body: JSON.stringify({ token }) })
    }
    if (req.method === 'POST' && /^\/v2\/.+\/blobs\/uploads\/$/.test(path)) {
      if (script.upload) return send(res, script.upload(self, auth))
      return send(res, {
        status: 202,
        headers: { location: `${self}${path}u-123?_state=signed`, 'docker-upload-uuid': 'u-123' },
      })
    }
    if (req.method === 'DELETE' && path.includes('/blobs/uploads/')) {
      return send(res, script.cancel ?? registryError(405, 'UNSUPPORTED', 'unsupported'))
    }
    return send(res, { status: 404 })
  }, host)
  return server
}
