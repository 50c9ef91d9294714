/**
 * The browsable API reference at /api/docs: Swagger UI served from the
 * installed `swagger-ui-dist` package (no CDN). The CSP allows same-origin
 * scripts only, so even the start-up code is a file (`init.js`), not inline.
 */
import fs from "node:fs";
import path from "node:path";

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Switchboard API reference</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
`;

const INIT_SCRIPT = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    persistAuthorization: false,
  });
});
`;

/** Files served from swagger-ui-dist; anything else is a 404 (no path is ever built from the request). */
const packageFiles: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const cache = new Map<string, Buffer>();

function packageFile(name: string): Buffer {
  let content = cache.get(name);
  if (!content) {
    content = fs.readFileSync(path.join(process.cwd(), "node_modules", "swagger-ui-dist", name));
    cache.set(name, content);
  }
  return content;
}

export function docsPage(): Response {
  return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" } });
}

export async function docsAsset(_request: Request, context: { params: Promise<{ asset: string }> }): Promise<Response> {
  const { asset } = await context.params;
  if (asset === "init.js") return new Response(INIT_SCRIPT, { headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" } });
  const type = Object.hasOwn(packageFiles, asset) ? packageFiles[asset] : undefined;
  if (!type) return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
  return new Response(new Uint8Array(packageFile(asset)), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}
