// The contract between the I/O edges (registry probe, GitHub API) and the one HTTP client
// that enforces contracts §4: timeouts, bounded retries, no cross-host redirects, https
// except loopback, bounded bodies.

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface HttpRequest {
  method: HttpMethod
  url: string
  headers?: Record<string, string>
  body?: string
  /** Retry 429/502/503/504 and network errors (honouring Retry-After) up to the client's limit. Default true for GET/HEAD. */
  retry?: boolean
  /** Per-attempt timeout override in ms. */
  timeoutMs?: number
  /**
   * 'manual': hand back a 3xx answer (with its `location` header) instead of following it, for
   * a caller that must fetch a signed URL on another host without the credentials.
   */
  redirect?: 'follow' | 'manual'
}

export interface HttpResponse {
  status: number
  /** Lower-cased header names. */
  headers: Record<string, string>
  /** Body as text, truncated at the client's limit (see truncated). */
  body: string
  truncated: boolean
  /** The URL finally answered (after same-origin redirects). */
  url: string
}

/** Why a request produced no usable answer. Messages never contain credentials. */
export type HttpFailureKind =
  | 'timeout' // one attempt took longer than its budget
  | 'deadline' // the run's deadline left no time
  | 'network' // refused, reset, DNS
  | 'insecure-url' // http:// to a non-loopback host
  | 'redirect-refused' // redirect to another host (credentials would cross)
  | 'too-large' // body over the limit

export class HttpFailure extends Error {
  constructor(
    readonly kind: HttpFailureKind,
    message: string,
    readonly url: string,
  ) {
    super(message)
    this.name = 'HttpFailure'
  }
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>
  /** Count of sequential round-trips is measured by the caller; this counts attempts made. */
  readonly attempts: number
}
