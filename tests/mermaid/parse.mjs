// Reads Mermaid blocks (JSON array of strings) on stdin and prints one JSON line
// per block: {"ok": true, "type": ...} or {"ok": false, "error": ...}.
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
let input = '';
for await (const chunk of process.stdin) input += chunk;
for (const text of JSON.parse(input)) {
  try {
    const result = await mermaid.parse(text);
    console.log(JSON.stringify({ ok: true, type: result.diagramType }));
  } catch (error) {
    console.log(JSON.stringify({ ok: false, error: String(error).slice(0, 300) }));
  }
}
