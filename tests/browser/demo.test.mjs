// The live demo in a real browser: Debian's Chromium, headless, driven by playwright-core.
// The page must load cleanly, receive events with all four techniques, draw each one's requests
// and answers on its lane, show the raw messages, survive dropped connections without losing or
// repeating an event, and show plausible latencies; a screenshot is kept for the docs.
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
let browser;

// A pushbench-server serving every technique and the page; stop() ends it.
async function startServer(args) {
  const child = spawn(path.join(build, "bin/pushbench-server"), ["--technique", "all", "--port", "0", ...args]);
  const [chunk] = await once(child.stdout, "data");
  return {
    url: chunk.toString().match(/listening on (\S+)/)[1],
    async stop() {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

before(async () => {
  server = await startServer(["--rate", "20"]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const readBoard = (page) => page.evaluate((names) => Object.fromEntries(names.map((name) => {
  const meter = window.pushbenchMeters[name];
  return [name, { events: meter.events, requests: meter.requests, connections: meter.connections, bytes: meter.bytes,
    gaps: meter.gaps, duplicates: meter.duplicates, p50: meter.percentile(50), p99: meter.percentile(99),
    marks: window.pushbenchTimeline.marks(name) }];
})), TECHNIQUES);

const everyTechniqueHas = (page, minimum) => page.waitForFunction(([names, n]) =>
  names.every((name) => window.pushbenchMeters?.[name]?.events >= n) && window.pushbenchTimeline,
[TECHNIQUES, minimum], { timeout: 20000 });

test("the page loads without console errors, failed requests or error statuses", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("requestfailed", (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  await page.goto(server.url + "/");
  await everyTechniqueHas(page, 5);
  await page.waitForTimeout(1000);
  assert.deepEqual(problems, []);
  await page.close();
});

test("all four techniques receive the same events and the numbers update", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(server.url + "/");
  await page.fill("#interval", "250");
  await everyTechniqueHas(page, 5);
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
  assert.ok(Number(shown.replace(/,/g, "")) > 0, "the summary shows the numbers");
  assert.deepEqual(problems, []);
  await page.close();
});

test("each lane draws its technique: empty short polls, a long poll per event, one request per stream", async () => {
  const slow = await startServer(["--rate", "2"]); // slow enough for short polls to come back empty
  try {
    const page = await browser.newPage();
    await page.goto(slow.url + "/");
    await page.fill("#interval", "250");
    await page.waitForFunction(() => window.pushbenchTimeline?.marks("short-poll").empty >= 3
      && window.pushbenchMeters["long-poll"].events >= 4, null, { timeout: 15000 });
    const board = await readBoard(page);
    for (const name of TECHNIQUES) {
      const { marks } = board[name];
      assert.ok(marks.request >= 1, `${name}: requests drawn`);
      assert.ok(marks.response + marks.frame + marks.event >= 1, `${name}: arrivals drawn`);
      assert.ok(marks.publish >= board[name].events, `${name}: each event's publish time drawn`);
    }
    const shortPoll = board["short-poll"].marks;
    assert.ok(shortPoll.request >= shortPoll.response + shortPoll.empty, "short poll: an answer per request");
    assert.ok(shortPoll.empty >= 3, `short poll: empty answers (${shortPoll.empty})`);
    const longPoll = board["long-poll"];
    assert.equal(longPoll.marks.empty, 0, "long poll: no empty answers before the timeout");
    assert.equal(longPoll.marks.response, longPoll.events, "long poll: one answer per event");
    assert.ok(longPoll.marks.request - longPoll.marks.response <= 1, "long poll: one request per answer, one held");
    for (const name of ["sse", "websocket"]) {
      const { marks } = board[name];
      assert.deepEqual([marks.request, marks.open, marks.empty], [1, 1, 0], `${name}: one request, one stream`);
      assert.equal(marks.frame + marks.event, board[name].events, `${name}: a frame or event per event`);
    }
    await page.close();
  } finally {
    await slow.stop();
  }
});

test("the raw panel shows the messages as each technique receives them", async () => {
  const page = await browser.newPage();
  await page.goto(server.url + "/");
  await everyTechniqueHas(page, 3);
  const raw = (name) => page.locator(`#raw [data-technique="${name}"] li`).allTextContents();
  const expected = {
    "short-poll": ["GET /poll?since=", '{"events":[{"seq":'],
    "long-poll": ["GET /long-poll?since=", "timeout_ms=", '{"events":[{"seq":'],
    sse: ["lastEventId: ", "type: message", 'data: {"seq":'],
    websocket: ['{"seq":'],
  };
  for (const [name, texts] of Object.entries(expected)) {
    await page.waitForFunction(([technique, wanted]) => {
      const shown = document.querySelector(`#raw [data-technique="${technique}"]`)?.textContent ?? "";
      return wanted.every((text) => shown.includes(text));
    }, [name, texts], { timeout: 5000 }).catch(() => {});
    const shown = (await raw(name)).join("\n");
    for (const text of texts) assert.ok(shown.includes(text), `${name} shows ${text}:\n${shown}`);
  }
  await page.close();
});

test("dropping the connections: each technique resumes its own way, losing and repeating nothing", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url + "/");
  await page.fill("#interval", "250");
  await everyTechniqueHas(page, 80); // four seconds of lanes before the drop, for the screenshot
  const before = await readBoard(page);
  await page.click("#drop");
  await page.waitForFunction(([names, start]) => names.every((name) => {
    const meter = window.pushbenchMeters[name];
    const opened = name === "sse" || name === "websocket" ? meter.connections > start[name].connections : true;
    return meter.requests > start[name].requests && opened;
  }), [TECHNIQUES, before], { timeout: 10000 });
  const resumed = await readBoard(page);
  const notes = { // what each client says it did, one of these (a short poll is rarely in flight)
    "short-poll": ["nothing open between polls", "abandoned by reconnect()"],
    "long-poll": ["abandoned by reconnect()"],
    sse: ["closed by the page, readyState CLOSED; resuming with ?since="],
    websocket: ["close 4000 \"\", wasClean true"], // the server's close frame echoes the code, not the reason
  };
  for (const [name, texts] of Object.entries(notes)) {
    await page.waitForFunction(([technique, wanted]) => {
      const shown = document.querySelector(`#raw [data-technique="${technique}"] .raw-notes`).textContent;
      return wanted.some((text) => shown.includes(text));
    }, [name, texts], { timeout: 5000 });
  }
  await page.waitForFunction(([names, start]) => names.every((name) =>
    window.pushbenchMeters[name].events >= start[name].events + 30), [TECHNIQUES, resumed], { timeout: 10000 });
  const after = await readBoard(page);
  for (const name of TECHNIQUES) {
    assert.equal(after[name].gaps, 0, `${name}: no event lost`);
    assert.equal(after[name].duplicates, 0, `${name}: no event repeated`);
    assert.ok(after[name].events > before[name].events, `${name}: receiving again`);
  }
  for (const name of ["long-poll", "sse", "websocket"]) {
    assert.ok(after[name].marks.closed > before[name].marks.closed, `${name}: the drop is drawn on its lane`);
  }
  await page.waitForTimeout(1000); // the lanes show the way back
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
});

test("the rate control changes the publisher's rate", async () => {
  const page = await browser.newPage();
  await page.goto(server.url + "/");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("publishing"));
  await page.fill("#rate", "50");
  await page.dispatchEvent("#rate", "change");
  await page.waitForFunction(() => document.getElementById("status").textContent === "publishing 50/s");
  const rate = await page.evaluate(async () => (await (await fetch("/publisher")).json()).rate);
  assert.equal(rate, 50);
  await page.evaluate(() => fetch("/publisher?rate=20", { method: "POST" })); // as the other tests expect
  await page.close();
});

test("EventSource receives named, multi-line events, counted by name like the other techniques", async () => {
  const named = await startServer(["--rate", "30", "--event-types", "3", "--sse-multiline"]);
  try {
    const page = await browser.newPage();
    await page.goto(named.url + "/");
    await page.waitForFunction(() => ["sse", "websocket"].every((name) =>
      Object.keys(window.pushbenchMeters[name]?.byType ?? {}).length === 3), null, { timeout: 15000 });
    const seen = await page.evaluate(() => ({
      sse: window.pushbenchMeters.sse, websocket: window.pushbenchMeters.websocket,
    }));
    assert.deepEqual(Object.keys(seen.sse.byType).sort(), ["t0", "t1", "t2"]);
    assert.equal(seen.sse.misnamed, 0, "each event: line names the event's JSON type");
    const total = Object.values(seen.sse.byType).reduce((a, b) => a + b, 0);
    assert.equal(total, seen.sse.events, "every event reached a listener of its name");
    await page.waitForFunction(() => /type: t[012]\ndata: \{\n/.test(
      document.querySelector('#raw [data-technique="sse"] .raw-messages').textContent), null, { timeout: 5000 });
    await page.close();
  } finally {
    await named.stop();
  }
});

test("a chat between two tabs goes up by each technique and comes back through all of them", async () => {
  const [sender, listener] = [await browser.newPage(), await browser.newPage()];
  for (const page of [sender, listener]) {
    await page.goto(server.url + "/");
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
  const sent = await sender.evaluate(() => window.pushbenchTimeline.marks("websocket").sent);
  assert.equal(sent, 1, "the WebSocket's message is drawn as a frame sent");
  await sender.close();
  await listener.close();
});
