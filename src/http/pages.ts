import type { HttpResponse } from './server.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A small self-contained page (inline style only: the CSP allows nothing else). Every value is escaped. */
export function htmlPage(status: number, title: string, paragraphs: string[]): HttpResponse {
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#111418;color:#e6e6e6;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0}main{max-width:32rem;padding:2rem;border:1px solid #2c323a;border-radius:8px;background:#181c22}h1{font-size:1.4rem;margin-top:0}</style>
</head>
<body><main><h1>${escapeHtml(title)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</main></body>
</html>
`;
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body };
}
