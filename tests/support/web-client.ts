/** A small browser stand-in for the web app's tests: a cookie jar, form posts with the page's CSRF token, and the HTML back. */
import type { Hono } from 'hono';

type Fetcher = Pick<Hono, 'request'>;

export interface WebResponse {
  status: number;
  location: string | null;
  html: string;
  setCookies: string[];
  headers: Headers;
}

/** One person's browser: cookies kept between requests, the Origin of the page sent with each form post. */
export class WebClient {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: Fetcher,
    readonly origin = 'http://localhost',
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private async send(path: string, init: RequestInit = {}): Promise<WebResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size && !headers.has('cookie')) headers.set('cookie', this.cookieHeader());
    const response = await this.app.request(`${this.origin}${path}`, { ...init, headers });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...value] = pair!.split('=');
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join('='));
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      html: await response.text(),
      setCookies,
      headers: response.headers,
    };
  }

  get(path: string): Promise<WebResponse> {
    return this.send(path);
  }

  /** Posts a form as a browser does (urlencoded, with this page's Origin). */
  post(
    path: string,
    fields: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<WebResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.send(path, {
      method: 'POST',
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin, ...headers },
    });
  }

  /**
   * Posts a form with files as a browser does: multipart/form-data with its length declared, and this
   * page's Origin (`streamed` sends the body without a length instead, as a chunked upload would).
   */
  async postFiles(
    path: string,
    fields: Record<string, string>,
    files: readonly { name: string; body: string | Uint8Array; type?: string }[],
    headers: Record<string, string> = {},
    options: { streamed?: boolean } = {},
  ): Promise<WebResponse> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    // A browser sends an empty part when no file is chosen.
    if (files.length === 0) form.append('files', new File([], '', { type: 'application/octet-stream' }));
    for (const f of files)
      form.append(
        'files',
        new File([typeof f.body === 'string' ? f.body : new Uint8Array(f.body)], f.name, {
          type: f.type ?? 'application/octet-stream',
        }),
      );
    if (options.streamed)
      return this.send(path, { method: 'POST', body: form, headers: { origin: this.origin, ...headers } });
    const encoded = new Response(form);
    const body = new Uint8Array(await encoded.arrayBuffer());
    return this.send(path, {
      method: 'POST',
      body,
      headers: {
        'content-type': encoded.headers.get('content-type')!,
        'content-length': String(body.byteLength),
        origin: this.origin,
        ...headers,
      },
    });
  }

  /** Reads the page's CSRF token (every form carries it) and posts the form with it. */
  async submit(pagePath: string, action: string, fields: Record<string, string | string[]>): Promise<WebResponse> {
    const page = await this.get(pagePath);
    return this.post(action, { csrf_token: csrfTokenIn(page.html), ...fields });
  }
}

/** The CSRF token in a page's forms. */
export function csrfTokenIn(html: string): string {
  const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

/** An attribute of the input with `id`, or null. */
export function inputValue(html: string, name: string): string | null {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  return tag ? (/value="([^"]*)"/.exec(tag)?.[1] ?? '') : null;
}

/** Text with the markup stripped and entities decoded, for reading a page's words. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
