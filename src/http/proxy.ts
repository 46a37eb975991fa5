// Self-hosted runners often reach the internet only through a proxy (HTTPS_PROXY, HTTP_PROXY,
// NO_PROXY). The runner and every toolkit-based action honour those variables; Node's global fetch
// does not. So the proxy decision is the toolkit's own (@actions/http-client's proxy module: the
// same variables, the same NO_PROXY matching, loopback never proxied), and a proxied request goes
// through undici's fetch with undici's ProxyAgent, the pair @actions/http-client is built on. For
// https the proxy sees only CONNECT host:port; credentials stay inside the TLS tunnel.
//
// Start-up: deciding needs only the toolkit's small proxy module. @actions/http-client's index and
// undici (with http2, zlib, worker_threads behind them) load on the first proxied request, so a run
// without a proxy, and every static run, never evaluates them.

import { getProxyUrl } from '@actions/http-client/lib/proxy'

type Fetch = typeof fetch
type HttpClientModule = typeof import('@actions/http-client')

let machinery: Promise<{ toolkit: InstanceType<HttpClientModule['HttpClient']>; fetch: Fetch }>

function loadMachinery(): typeof machinery {
  machinery ??= Promise.all([import('@actions/http-client'), import('undici')]).then(
    ([{ HttpClient }, undici]) => ({
      toolkit: new HttpClient('ghcr-preflight'),
      fetch: undici.fetch as unknown as Fetch,
    }),
  )
  return machinery
}

/** A fetch that goes through the configured proxy for `url`, or undefined when none applies. */
export function proxiedFetch(url: string | URL): Fetch | undefined {
  // The same test as HttpClient.getAgentDispatcher: a proxy variable naming a host, not bypassed.
  if (!getProxyUrl(new URL(String(url)))?.hostname) return undefined
  return (async (input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]) => {
    const { toolkit, fetch: undiciFetch } = await loadMachinery()
    const dispatcher = toolkit.getAgentDispatcher(String(url))
    return undiciFetch(input, { ...init, dispatcher } as Parameters<Fetch>[1])
  }) as Fetch
}
