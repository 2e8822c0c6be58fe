// The live demo in a real browser: Debian's Chromium, headless, driven by playwright-core.
// The page must receive events with all four techniques, keep its numbers moving, and show
// plausible latencies; a screenshot is kept for the docs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const build = path.join(root, process.env.PUSHBENCH_BUILD ?? "build");
const screenshot = process.env.PUSHBENCH_SCREENSHOT ?? path.join(build, "demo.png");
const TECHNIQUES = ["short-poll", "long-poll", "sse", "websocket"];

let server;
let url;
let browser;

before(async () => {
  server = spawn(path.join(build, "bin/pushbench-server"), ["--technique", "all", "--port", "0", "--rate", "20"]);
  const [chunk] = await once(server.stdout, "data");
  url = chunk.toString().match(/listening on (\S+)/)[1];
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (server) await once(server, "exit");
});

const readBoard = (page) => page.evaluate((names) => Object.fromEntries(names.map((name) => {
  const meter = window.pushbenchMeters[name];
  return [name, { events: meter.events, requests: meter.requests, bytes: meter.bytes,
    p50: meter.percentile(50), p99: meter.percentile(99) }];
})), TECHNIQUES);

test("all four techniques receive the same events and the numbers update", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(url + "/");
  await page.fill("#interval", "250");
  await page.waitForFunction((names) => names.every((n) => window.pushbenchMeters?.[n]?.events >= 5),
    TECHNIQUES, { timeout: 20000 });
  const first = await readBoard(page);
  await page.waitForTimeout(1500);
  const second = await readBoard(page);
  for (const name of TECHNIQUES) {
    assert.ok(second[name].events > first[name].events, `${name}: events keep arriving`);
    assert.ok(second[name].bytes > first[name].bytes, `${name}: bytes keep counting`);
    assert.ok(second[name].requests >= 1, `${name}: requests are counted`);
    for (const p of ["p50", "p99"]) {
      // The browser's clock against the server's, same machine: positive, and well under a minute.
      assert.ok(second[name][p] > -5 && second[name][p] < 60000, `${name} ${p} = ${second[name][p]} ms`);
    }
  }
  assert.ok(second["short-poll"].requests > second.sse.requests, "short polling makes many requests, SSE one");
  assert.ok(second["short-poll"].p50 > second.websocket.p50, "short polling waits for its interval");
  const shown = await page.locator('td[data-t="websocket"][data-m="events"]').textContent();
  assert.ok(Number(shown.replace(/,/g, "")) > 0, "the table shows the numbers");
  assert.deepEqual(problems, []);
  await page.screenshot({ path: screenshot, fullPage: true });
});

test("the rate control changes the publisher's rate", async () => {
  const page = await browser.newPage();
  await page.goto(url + "/");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("publishing"));
  await page.fill("#rate", "50");
  await page.dispatchEvent("#rate", "change");
  await page.waitForFunction(() => document.getElementById("status").textContent === "publishing 50/s");
  const rate = await page.evaluate(async () => (await (await fetch("/publisher")).json()).rate);
  assert.equal(rate, 50);
});

test("EventSource receives named, multi-line events, counted by name like the other techniques", async () => {
  const named = spawn(path.join(build, "bin/pushbench-server"),
    ["--technique", "all", "--port", "0", "--rate", "30", "--event-types", "3", "--sse-multiline"]);
  try {
    const [chunk] = await once(named.stdout, "data");
    const namedUrl = chunk.toString().match(/listening on (\S+)/)[1];
    const page = await browser.newPage();
    await page.goto(namedUrl + "/");
    await page.waitForFunction(() => ["sse", "websocket"].every((name) =>
      Object.keys(window.pushbenchMeters[name]?.byType ?? {}).length === 3), null, { timeout: 15000 });
    const seen = await page.evaluate(() => ({
      sse: window.pushbenchMeters.sse, websocket: window.pushbenchMeters.websocket,
    }));
    assert.deepEqual(Object.keys(seen.sse.byType).sort(), ["t0", "t1", "t2"]);
    assert.equal(seen.sse.misnamed, undefined, "each event: line names the event's JSON type");
    const total = Object.values(seen.sse.byType).reduce((a, b) => a + b, 0);
    assert.equal(total, seen.sse.events, "every event reached a listener of its name");
  } finally {
    named.kill("SIGTERM");
    await once(named, "exit");
  }
});

test("a chat between two tabs goes up by each technique and comes back through all of them", async () => {
  const [sender, listener] = [await browser.newPage(), await browser.newPage()];
  for (const page of [sender, listener]) {
    await page.goto(url + "/");
    await page.waitForFunction(() => window.pushbenchMeters?.websocket?.events > 0 && window.pushbenchMeters.sse.events > 0);
  }
  for (const via of TECHNIQUES) {
    await sender.selectOption("#chat-via", via);
    await sender.fill("#chat-text", `hello by ${via}`);
    await sender.click("#chat-send");
  }
  const arrivedEverywhere = (tab) => {
    const messages = [...window.pushbenchChat.messages.values()].filter((m) => m.tab === tab);
    return messages.length === 4 && messages.every((m) => Object.keys(m.arrivals).length === 4);
  };
  const tab = await sender.evaluate(() => window.pushbenchChat.tab);
  await listener.waitForFunction(arrivedEverywhere, tab, { timeout: 15000 });
  await sender.waitForFunction(arrivedEverywhere, tab, { timeout: 15000 });
  const mine = await sender.evaluate(() => [...window.pushbenchChat.messages.values()]);
  assert.deepEqual(mine.map((m) => m.via).sort(), [...TECHNIQUES].sort());
  for (const message of mine) {
    for (const [technique, ms] of Object.entries(message.arrivals)) {
      assert.ok(ms >= 0 && ms < 15000, `${message.via} -> ${technique}: round trip ${ms} ms`);
    }
  }
  const shown = await listener.textContent("#chat-log");
  for (const via of TECHNIQUES) assert.ok(shown.includes(`hello by ${via}`), `the other tab shows the ${via} message`);
});
