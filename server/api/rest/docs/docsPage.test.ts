import { describe, expect, it } from "vitest";
import { docsAsset, docsPage } from "./docsPage";

const asset = (name: string) => docsAsset(new Request(`http://localhost/api/docs/${name}`), { params: Promise.resolve({ asset: name }) });

describe("the API docs page", () => {
  it("loads Swagger UI and its start-up code from same-origin files only (no inline script, no CDN)", async () => {
    const html = await docsPage().text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1].trim())).toEqual(['src="/api/docs/swagger-ui-bundle.js"', 'src="/api/docs/init.js"']);
    expect(scripts.every((m) => m[2].trim() === "")).toBe(true);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("serves the package files and the init script, and nothing else", async () => {
    const bundle = await asset("swagger-ui-bundle.js");
    expect(bundle.headers.get("content-type")).toContain("javascript");
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect(await (await asset("init.js")).text()).toContain("/api/v1/openapi.json");
    for (const name of ["package.json", "..%2F..%2Fpackage.json", "../../../etc/passwd", "constructor"]) expect((await asset(name)).status).toBe(404);
  });
});
