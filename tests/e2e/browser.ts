import { chromium, type Browser, type Page } from "playwright-core";
import path from "node:path";
import fs from "node:fs";

/** Debian's Chromium, headless, with the flags a root sandbox without network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Screenshots land in test-results/ so a person can look at what the tests saw. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve(__dirname, "../../test-results/screenshots");
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
