/**
 * Flow editor benchmark: time to interactive for a generated 300-node flow
 * (baseline: a 10-node flow in the same run), frame times while dragging a
 * node, and the JavaScript the editor page loads. Headless Debian Chromium via
 * playwright-core against the production server (`npm run build` first when stale).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { openDatabase } from "@/server/db/client";
import { createFirstAdmin } from "@/server/services/setup";
import { createFlow } from "@/server/services/flows";
import { launchBrowser } from "@/tests/e2e/browser";
import { startServer } from "@/tests/e2e/server";
import { median, percentile, report, round } from "./stats";

const admin = { email: "bench@example.com", password: "benchmark password" };

/** A grid of `count` nodes chained start → play → menu → set_variables → …, like a large real IVR. */
function generatedFlow(count: number) {
  const types = ["play", "menu", "set_variables"] as const;
  const configs = {
    play: { text: "Welcome to the benchmark" },
    menu: { prompt: "Press 1", options: ["1", "2"], timeout_s: 5, max_retries: 1 },
    set_variables: { assignments: [{ name: "step", value: "1" }] },
  };
  const nodes = [{ id: "start", type: "start", position: { x: 0, y: 0 }, config: {} }];
  for (let i = 1; i < count; i++) {
    const type = types[i % types.length];
    nodes.push({ id: `n${i}`, type, position: { x: (i % 15) * 280, y: Math.floor(i / 15) * 180 }, config: configs[type] });
  }
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, source_port: nodes[i].type === "menu" ? "1" : "next", target: node.id }));
  return { schema_version: 1, name: `Generated ${count}`, nodes, edges };
}

async function timeToInteractive(page: Page, url: string, nodes: number): Promise<number> {
  const started = performance.now();
  await page.goto(url);
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node").length >= n, nodes, { timeout: 60_000 });
  // Interactive: the main thread is free again and answers a frame.
  await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))");
  return performance.now() - started;
}

async function dragFrameTimes(page: Page): Promise<number[]> {
  const box = await page.locator(".react-flow__node").nth(5).boundingBox();
  if (!box) throw new Error("no node to drag");
  // A string, not a function: tsx would wrap an inner function with a helper the page does not have.
  await page.evaluate(`(() => {
    const frames = (window.__frames = []);
    const tick = (t) => { frames.push(t); if (frames.length < 400) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(box.x + box.width / 2, box.y + 12);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) await page.mouse.move(box.x + box.width / 2 + i * 4, box.y + 12 + i * 2);
  await page.mouse.up();
  const stamps = (await page.evaluate("window.__frames")) as number[];
  return stamps.slice(1).map((t, i) => t - stamps[i]);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-editor-"));
  const db = openDatabase(path.join(dataDir, "switchboard.db"));
  await createFirstAdmin(db, { organisation: "Bench", email: admin.email, firstName: "Bench", password: admin.password, locale: "en" });
  const large = await createFlow(db, generatedFlow(300), null);
  const small = await createFlow(db, generatedFlow(10), null);
  db.$client.close();

  const server = await startServer(dataDir);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel("E-mail address").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.baseUrl}/`);

    await timeToInteractive(page, `${server.baseUrl}/flows/${small.id}`, 10);
    // Every script the editor page loaded, as the browser counted it: unpacked and as sent (compressed).
    const scripts = (await page.evaluate(
      `performance.getEntriesByType("resource").filter((e) => e.initiatorType === "script").reduce((sum, e) => ({ decoded: sum.decoded + e.decodedBodySize, encoded: sum.encoded + e.encodedBodySize }), { decoded: 0, encoded: 0 })`,
    )) as { decoded: number; encoded: number };

    const smallRuns: number[] = [];
    const largeRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      smallRuns.push(await timeToInteractive(page, `${server.baseUrl}/flows/${small.id}`, 10));
      largeRuns.push(await timeToInteractive(page, `${server.baseUrl}/flows/${large.id}`, 300));
    }
    const frames = (await dragFrameTimes(page)).sort((a, b) => a - b);
    report("editor", {
      tti_ms_300_nodes: round(median(largeRuns), 0),
      tti_ms_10_nodes: round(median(smallRuns), 0),
      tti_ratio_300_vs_10: round(median(largeRuns) / median(smallRuns)),
      drag_frame_ms_p50: round(percentile(frames, 50), 1),
      drag_frame_ms_p95: round(percentile(frames, 95), 1),
      editor_page_js_kb: round(scripts.decoded / 1024, 0),
      editor_page_js_kb_compressed: round(scripts.encoded / 1024, 0),
    });
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
