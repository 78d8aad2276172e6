// Bundles the designer's editor (bpmn-js Modeler + bpmn-js-properties-panel + our provider) into
// build/designer.js with esbuild. Run by `npm ci` (postinstall), so the bundle is made from the locked
// packages on every install and no third-party code is committed into our tree.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/designer-editor.js'],
  bundle: true,
  format: 'iife',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outfile: 'build/designer.js',
  logLevel: 'warning',
});
