/**
 * Transports: how a request reaches the API. The client speaks to one small interface, so a
 * mini-program (wx.request, no fetch) and a browser or Node (fetch) run the same code.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface TransportRequest {
  method: HttpMethod;
  url: string;
  /** header names as sent */
  headers: Record<string, string>;
  /** a JSON or form body, already encoded */
  body?: string;
}

export interface TransportResponse {
  status: number;
  /** header names in lower case */
  headers: Record<string, string>;
  /** the body parsed as JSON when it is JSON, else its text ("" when empty) */
  data: unknown;
}

/** Fails (rejects) only when no answer came: a network error, a timeout. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** A transport error: the request may or may not have reached the server. */
export class TransportError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = "TransportError";
  }
}

function lowerCased(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

function parsed(text: string, contentType: string | undefined): unknown {
  if (text && contentType && /[/+]json\b/.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** For H5 and Node: any fetch (the global one by default). */
export function fetchTransport(fetchImpl: typeof fetch = globalThis.fetch): Transport {
  return async (request) => {
    let response: Response;
    try {
      response = await fetchImpl(request.url, { method: request.method, headers: request.headers, body: request.body });
    } catch (error) {
      throw new TransportError(`fetch failed: ${String(error)}`, error);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { status: response.status, headers, data: parsed(await response.text(), headers["content-type"]) };
  };
}

/** The part of the mini-program's `wx` this transport uses. */
export interface WxRequestOptions {
  url: string;
  method?: "GET" | "POST" | "PUT" | "DELETE" | "OPTIONS" | "HEAD" | "TRACE" | "CONNECT";
  header?: Record<string, string>;
  data?: string | Record<string, unknown> | ArrayBuffer;
  dataType?: "json" | string;
  responseType?: "text" | "arraybuffer";
  timeout?: number;
  success?: (result: { statusCode: number; header: Record<string, string>; data: unknown; errMsg?: string }) => void;
  fail?: (error: { errMsg: string; errno?: number }) => void;
  complete?: (result: unknown) => void;
}

export interface WxLike {
  request(options: WxRequestOptions): unknown;
}

/**
 * For mini-programs: `wx.request`. It cannot send PATCH, so PATCH and DELETE go as POST with
 * `X-HTTP-Method-Override` (the API turns them back). `dataType: "json"` makes wx parse a JSON
 * body (and hand over the text when it is not JSON).
 */
export function wxTransport(wx: WxLike, options: { timeoutMs?: number } = {}): Transport {
  return (request) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const headers = { ...request.headers };
      let method: HttpMethod = request.method;
      if (method === "PATCH" || method === "DELETE") {
        headers["X-HTTP-Method-Override"] = method;
        method = "POST";
      }
      wx.request({
        url: request.url,
        method: method as WxRequestOptions["method"],
        header: headers,
        data: request.body,
        dataType: "json",
        responseType: "text",
        timeout: options.timeoutMs,
        success: (result) => {
          const lower = lowerCased(result.header);
          const data = typeof result.data === "string" ? parsed(result.data, lower["content-type"]) : result.data;
          resolve({ status: result.statusCode, headers: lower, data: data ?? "" });
        },
        fail: (error) => reject(new TransportError(`wx.request failed: ${error.errMsg}`, error)),
      });
    });
}
