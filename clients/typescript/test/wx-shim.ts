/**
 * A stand-in for the mini-program's `wx.request`, faithful to its callback API as WeChat
 * documents it: `success` for every HTTP answer (4xx and 5xx included) with `statusCode`,
 * `header` and `data` (parsed as JSON when `dataType` is "json" and the text parses, else the
 * text), `fail` with `errMsg` when no answer came, `complete` after either; only the methods
 * wx supports (no PATCH); a GET's object `data` becomes the query string.
 */
import http from "node:http";
import type { WxLike, WxRequestOptions } from "../src/transport";

const METHODS = new Set(["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT"]);

export interface WxCall {
  method: string;
  url: string;
  header: Record<string, string>;
}

export function wxShim(): WxLike & { calls: WxCall[] } {
  const calls: WxCall[] = [];
  return {
    calls,
    request(options: WxRequestOptions) {
      const method = (options.method ?? "GET").toUpperCase();
      const done = (result: unknown, ok: boolean) => {
        if (ok) options.success?.(result as never);
        else options.fail?.(result as never);
        options.complete?.(result);
      };
      if (!METHODS.has(method)) {
        setTimeout(() => done({ errMsg: `request:fail invalid method ${method}` }, false));
        return {};
      }
      let url = options.url;
      let body: string | undefined;
      if (typeof options.data === "string") body = options.data;
      else if (options.data && method === "GET") {
        const query = new URLSearchParams(options.data as Record<string, string>).toString();
        url += (url.includes("?") ? "&" : "?") + query;
      } else if (options.data) body = JSON.stringify(options.data);
      const header = { ...(options.header ?? {}) };
      calls.push({ method, url, header });
      const request = http.request(url, { method, headers: header, timeout: options.timeout ?? 60000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let data: unknown = text;
          if ((options.dataType ?? "json") === "json") {
            try {
              data = JSON.parse(text);
            } catch {
              data = text;
            }
          }
          const responseHeader: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) responseHeader[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          done({ statusCode: response.statusCode ?? 0, header: responseHeader, data, errMsg: "request:ok" }, true);
        });
      });
      request.on("timeout", () => request.destroy(new Error("timeout")));
      request.on("error", (error) => done({ errMsg: `request:fail ${error.message}` }, false));
      if (body !== undefined) request.write(body);
      request.end();
      return {};
    },
  };
}
