"""The docs quote what the repository makes: every excerpt of a trace is found in that trace, and
every block is what scripts/excerpts.py makes from its source today."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import excerpts  # noqa: E402

TRACE = """# pushbench-client trace: sse http://127.0.0.1:PORT
[    10.000] >>> 20 bytes
GET /sse HTTP/1.1\\r
Host: x\\r
[    11.000] <<< 30 bytes
HTTP/1.1 200 OK\\r
[  1010.000] <<< 20 bytes
id: 7
data: {"seq":7}
[  3010.000] <<< 20 bytes
id: 8
data: {"seq":8}
"""


def found_in_order(quoted, trace_lines):
    """Whether the quoted lines (with `...` between runs) appear in the trace in that order."""
    lines = [line.rstrip() for line in trace_lines]
    at = 0
    for line in quoted:
        if line == "...":
            continue
        try:
            at = lines.index(line, at) + 1
        except ValueError:
            return False
    return True


def excerpt_blocks():
    return [(page, source, quoted) for page in excerpts.PAGES for source, quoted in excerpts.quoted_lines(page)]


def test_the_pages_quote_traces():
    sources = {source.name for _, source, _ in excerpt_blocks()}
    assert {"websocket.txt", "sse.txt", "sse-reconnect.txt", "long-poll.txt", "short-poll.txt"} <= sources


@pytest.mark.parametrize("page,source,quoted", excerpt_blocks(),
                         ids=lambda v: v.name if isinstance(v, Path) else "")
def test_each_excerpt_is_found_in_its_trace(page, source, quoted):
    assert quoted, f"{page.name}: an empty excerpt of {source.name}"
    assert found_in_order(quoted, source.read_text().splitlines()), \
        f"{page.name} quotes lines that are not in {source.name} in that order"


def test_every_block_is_made_from_its_source_today():
    done = subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "excerpts.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_drifted_excerpt_is_caught(tmp_path):
    (tmp_path / "t.txt").write_text(TRACE)
    page = tmp_path / "p.md"
    page.write_text("<!-- excerpt: t.txt\n`^id: ` -1 +1 an event\n-->\n```\n(stale)\n```\n")
    made = excerpts.render(page)
    assert "[  1010.000] <<< 20 bytes\nid: 7" in made and "← an event" in made
    assert made != page.read_text()
    page.write_text(made)
    (_, quoted), = excerpts.quoted_lines(page)
    assert found_in_order(quoted, TRACE.splitlines())
    page.write_text(made.replace("id: 7", "id: 6"))  # edited by hand: no longer the trace's
    (_, quoted), = excerpts.quoted_lines(page)
    assert not found_in_order(quoted, TRACE.splitlines())


def test_skipping_a_whole_entry_needs_an_ellipsis(tmp_path):
    lines = TRACE.splitlines()
    with pytest.raises(ValueError, match="skips a trace entry"):
        excerpts.excerpt(lines, "`^id: 7`\n`^id: 8`", "p.md")
    assert excerpts.excerpt(lines, "`^id: 7`\n...\n`^id: 8`", "p.md") == "id: 7\n...\nid: 8\n"
    with pytest.raises(ValueError, match="no line"):
        excerpts.excerpt(lines, "`^id: 9`", "p.md")


def test_an_include_is_the_whole_file(tmp_path):
    (tmp_path / "client.js").write_text("const x = 1;\n")
    page = tmp_path / "p.md"
    page.write_text("<!-- include: client.js -->\n```js\nold\n```\n")
    assert excerpts.render(page) == "<!-- include: client.js -->\n```js\nconst x = 1;\n```\n"


def test_each_technique_page_shows_the_client_the_demo_runs():
    """The code a page teaches is the code the demo page imports (and the browser test drives)."""
    app = (ROOT / "web" / "app.js").read_text()
    for page, client in (("short-polling.md", "short-poll.js"), ("long-polling.md", "long-poll.js"),
                         ("sse.md", "sse.js"), ("websocket.md", "websocket.js")):
        text = (ROOT / "docs" / page).read_text()
        assert f"<!-- include: ../web/clients/{client} -->" in text, page
        assert (ROOT / "web" / "clients" / client).read_text() in text, f"{page}: not the file as it is"
        assert f'from "./clients/{client}"' in app, f"the demo does not import {client}"
