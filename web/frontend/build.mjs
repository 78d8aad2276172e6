// Bundles the designer's editors with esbuild: build/designer.js (bpmn-js Modeler + bpmn-js-properties-panel
// + our provider) and build/decisions.js (dmn-js Modeler). Run by `npm ci` (postinstall), so the bundles are
// made from the locked packages on every install and no third-party code is committed into our tree.
import { build } from 'esbuild';

await build({
  entryPoints: { designer: 'src/designer-editor.js', decisions: 'src/decision-editor.js' },
  bundle: true,
  format: 'iife',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outdir: 'build',
  logLevel: 'warning',
});
