// Self-hosted runners often reach the internet only through a proxy (HTTPS_PROXY, HTTP_PROXY,
// NO_PROXY). The runner and every toolkit-based action honour those variables; Node's global fetch
// does not. So the proxy decision is the toolkit's own (@actions/http-client: the same variables,
// the same NO_PROXY matching, loopback never proxied), and a proxied request goes through undici's
// fetch with undici's ProxyAgent, the pair @actions/http-client is built on. For https the proxy
// sees only CONNECT host:port; credentials stay inside the TLS tunnel to the registry.

import { HttpClient } from '@actions/http-client'
import { fetch as undiciFetch } from 'undici'

const toolkit = new HttpClient('ghcr-preflight')

/** A fetch that goes through the configured proxy for `url`, or undefined when none applies. */
export function proxiedFetch(url: string | URL): typeof fetch | undefined {
  const dispatcher = toolkit.getAgentDispatcher(String(url))
  if (!dispatcher) return undefined
  return ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch
}
