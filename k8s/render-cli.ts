/**
 * `npm run k8s:render`: writes k8s/rendered/<overlay>/ for every overlay.
 *   --check          exit 1 if the committed files differ from what the code renders
 *   --image=REF      render with another pinned image (a release), into --out
 *   --out=DIR        write there instead of k8s/rendered
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { overlays, withImage } from './render/overlays.js';
import { renderOverlay } from './render/render.js';
import { overlayFiles } from './render/write-files.js';

export const renderedDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rendered');

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const check = process.argv.includes('--check');
const image = arg('image');
const out = arg('out') ?? renderedDir;
if (image && out === renderedDir) {
  process.stderr.write('k8s:render: --image needs --out (the committed files keep the reviewed image)\n');
  process.exit(64);
}
if (image && (image.endsWith(':latest') || !/[:@]/.test(image.split('/').pop() ?? ''))) {
  process.stderr.write(`k8s:render: image ${image} is not pinned (give a tag other than latest, or a digest)\n`);
  process.exit(64);
}

let stale = 0;
for (const overlay of Object.values(overlays)) {
  const files = overlayFiles(renderOverlay(withImage(overlay, image)));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(out, overlay.name, rel);
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (current !== content) {
        stale++;
        process.stderr.write(`stale: ${path.relative(process.cwd(), file)}\n`);
      }
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
}
if (check && stale > 0) {
  process.stderr.write('k8s:render: rendered manifests are stale; run `npm run k8s:render`\n');
  process.exit(1);
}
if (!check) process.stdout.write(`k8s:render: wrote ${Object.keys(overlays).join(', ')} under ${path.relative(process.cwd(), out) || '.'}\n`);
