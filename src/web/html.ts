// Server-rendered pages (OAuth consent, hosted onboarding): escaping, one accessible layout that works
// on a phone, form bodies, and the headers every such page carries. No script, no external asset.
import type { Brand } from '../connect/platform/branding.ts';

/** Text placed in HTML, escaped; `Html` values (already rendered) pass through. */
export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);

type Interpolated = Html | string | number | null | undefined | false | readonly Interpolated[];

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: every interpolation is escaped unless it is Html itself. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  return new Html(strings.reduce((result, part, index) => result + part + (index < values.length ? render(values[index]) : ''), ''));
}

const styles = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1a1a2e;background:#f4f5f7}
.layout{display:flex;min-height:100vh;flex-wrap:wrap}
aside{flex:0 0 16rem;background:#1a1a2e;color:#fff;padding:2rem 1.5rem}
aside img{max-width:10rem;max-height:4rem;display:block;margin-bottom:1rem;background:#fff;border-radius:4px}
aside .brand{font-size:1.25rem;font-weight:600}
main{flex:1 1 20rem;padding:2rem 1.5rem;max-width:40rem}
h1{font-size:1.5rem;margin-top:0}
form{margin:1.5rem 0;padding:1.25rem;background:#fff;border-radius:8px;border:1px solid #dde}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=password],input[type=tel],input[type=url],select{width:100%;padding:.6rem;font:inherit;border:1px solid #99a;border-radius:4px;background:#fff}
input[aria-invalid=true],select[aria-invalid=true]{border-color:#b00020;border-width:2px}
label.checkbox{font-weight:400;display:flex;gap:.5rem;align-items:center}label+.hint{margin:0 0 .25rem}
:focus-visible{outline:3px solid var(--brand);outline-offset:2px}a{color:var(--brand-text-on-page)}
fieldset{border:0;padding:0;margin:.75rem 0}legend{font-weight:600}
button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;border:0;border-radius:4px;background:var(--brand);color:var(--on-brand);cursor:pointer}
button.secondary{background:#667}
.error{color:#b00020;font-weight:600}.hint{color:#556;font-size:.9rem}
.error-summary{border:3px solid #b00020;border-radius:8px;padding:.75rem 1.25rem;margin:1rem 0;background:#fff}
.error-summary h2{font-size:1.1rem;margin:.25rem 0}.error-summary a{color:#b00020;font-weight:600}
.who{background:#fff;border:1px solid #dde;border-radius:8px;padding:.5rem 1rem;margin:1rem 0}
button.link{background:none;color:var(--brand-text-on-page);padding:0;margin:0;text-decoration:underline}
pre{white-space:pre-wrap;overflow-wrap:anywhere}
aside{border-top:6px solid var(--brand)}
.steps{list-style:none;padding:0;margin:1.5rem 0 0}.steps li{opacity:.6}.steps li[aria-current=step]{opacity:1;font-weight:600}
@media (max-width:40rem){aside{flex-basis:100%;padding:1rem 1.5rem}}`;

export interface PageOptions {
  title: string;
  brand: Brand | null;
  /** Shown under the brand, e.g. the onboarding steps. */
  sidebar?: Html;
  body: Html;
}

const DEFAULT_COLOR = '#3b3bd4';

/** Dark text on a light colour, white on a dark one (WCAG's relative luminance, split at its middle). */
function textOn(color: string): string {
  const channel = (offset: number) => {
    const value = Number.parseInt(color.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? '#1a1a2e' : '#ffffff';
}

/** The brand's colour as the style sheet's variables; only a `#rrggbb` value ever gets here (branding.ts). */
function brandVariables(brand: Brand | null): Html {
  const color = brand?.primaryColor && /^#[0-9a-f]{6}$/i.test(brand.primaryColor) ? brand.primaryColor : DEFAULT_COLOR;
  // Links on the light page: the brand's colour when it is dark enough to read, else the default.
  const link = textOn(color) === '#ffffff' ? color : DEFAULT_COLOR;
  return new Html(`:root{--brand:${color};--on-brand:${textOn(color)};--brand-text-on-page:${link}}`);
}

/** What the content policy lets the browser load as the logo: https, or an image written inline (a branding entity's). */
const isShownLogo = (url: string) => url.startsWith('https://') || url.startsWith('data:image/');

export function page({ title, brand, sidebar, body }: PageOptions): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}${brand ? ` · ${brand.name}` : ''}</title><style>${brandVariables(brand)}${new Html(styles)}</style></head>
<body><div class="layout"><aside aria-label="Platform">
${brand?.logoUrl && isShownLogo(brand.logoUrl) ? html`<img src="${brand.logoUrl}" alt="${brand.name} logo" referrerpolicy="no-referrer">` : ''}
${brand ? html`<div class="brand">${brand.name}</div>` : ''}${sidebar ?? ''}</aside>
<main><h1>${title}</h1>${body}</main></div></body></html>`;
}

/**
 * Headers of every page: never cached, never framed (a consent page must not be clickjacked), and no
 * referrer to other sites (URLs hold tokens); same-origin keeps the Origin header on our own form posts.
 */
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'none'; base-uri 'none'",
};

export function htmlResponse(body: Html, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body.value, { status, headers: { ...pageHeaders, ...headers } });
}

/** A 303 after a form post: the browser follows it with a GET, so a reload does not post again. */
export function seeOther(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, {
    status: 303,
    headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...headers },
  });
}

/**
 * The fields of a posted form (application/x-www-form-urlencoded), or null when it is not one. The
 * body is capped before it gets here (FORM_MAX_BYTES, request-body.ts): past it, this throws.
 */
/** A form or a query string carrying a NUL character, which PostgreSQL refuses in text: a 400, never a query. */
export class NulInRequestError extends Error {}

export function refuseNulParameters(parameters: URLSearchParams): URLSearchParams {
  for (const [name, value] of parameters) {
    if (name.includes('\u0000') || value.includes('\u0000')) throw new NulInRequestError(`${name} holds a NUL character`);
  }
  return parameters;
}

export async function readForm(request: Request): Promise<URLSearchParams | null> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return null;
  return refuseNulParameters(new URLSearchParams(await request.text()));
}

/** One cookie of the request, by name; a value that does not decode is no cookie (never a 500). */
export function cookieOf(request: Request, name: string): string | null {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return null;
    }
  }
  return null;
}
