#!/usr/bin/python3
"""The code blocks the docs quote from files the repository makes or keeps: trace excerpts and
the demo's browser clients. A page names the source in a comment just above the block:

    <!-- excerpt: traces/long-poll.txt
    `^\\[.*\\] >>> ` +1 the request         the lines to take, each `REGEX` [-B] [+N] [note]
    `^\\{"events":\\[\\{` -1 the answer with the event, and its time
    -->

    <!-- include: ../web/clients/sse.js -->

Paths are relative to the page. An excerpt takes, for each recipe line, the next line of the file
(after the previous one taken) that REGEX finds, with B lines before it and N after. It may skip
lines of the same trace entry (headers), but skipping a whole entry needs a recipe line `...`
before it, which prints `...`. A note goes after `  ← ` on the line. An include takes the whole
file.

    scripts/excerpts.py           rewrites every such block in docs/ and README.md
    scripts/excerpts.py --check   exits 1 naming each block that differs from its source
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
NOTE = "  ← "  # what separates a quoted line from its note
NOTE_COLUMN = 44
# A source comment, then the fenced block that follows it (possibly empty).
BLOCK = re.compile(r"<!-- (excerpt|include): (\S+)\n?(.*?)-->\n+```(\w*)\n(.*?)```", re.S)
ENTRY = re.compile(r"^\[ *[\d.]+\] ")  # a trace entry's first line: [ms since start] ...
RECIPE_LINE = re.compile(r"`(?P<regex>[^`]+)`(?:\s+-(?P<before>\d+))?(?:\s+\+(?P<after>\d+))?(?:\s+(?P<note>.+))?")


def _line(text):
    return text[:-2] if text.endswith("\\r") else text  # the trace's escaped CR: noise in a page


def excerpt(lines, recipe, source):
    """The quoted lines that `recipe` picks from `lines`, in order."""
    out, at, may_skip = [], 0, True
    for step in filter(None, (r.strip() for r in recipe.splitlines())):
        if step == "...":
            out.append("...")
            may_skip = True
            continue
        parsed = RECIPE_LINE.fullmatch(step)
        if not parsed:
            raise ValueError(f"{source}: recipe line {step!r} is not `REGEX` [-B] [+N] [note]")
        found = next((i for i in range(at, len(lines)) if re.search(parsed["regex"], lines[i])), None)
        if found is None:
            raise ValueError(f"{source}: no line after line {at} matches `{parsed['regex']}`")
        first = max(at, found - int(parsed["before"] or 0))
        if not may_skip and any(ENTRY.match(line) for line in lines[at:first]):
            raise ValueError(f"{source}: `{parsed['regex']}` skips a trace entry: put `...` before it")
        may_skip = False
        taken = [_line(text) for text in lines[first:found + 1 + int(parsed["after"] or 0)]]
        if parsed["note"]:
            noted = found - first  # the note goes on the line the regex found
            taken[noted] = taken[noted].ljust(NOTE_COLUMN) + NOTE + parsed["note"]
        out += taken
        at = first + len(taken)
    return "\n".join(out) + "\n"


def render(page):
    """The page's text with every block made again from its source."""
    def block(match):
        kind, path, recipe, language, _ = match.groups()
        source = (page.parent / path).resolve()
        text = source.read_text()
        body = text if kind == "include" else excerpt(text.splitlines(), recipe, f"{page.name}: {path}")
        head = f"<!-- {kind}: {path}\n{recipe}-->" if kind == "excerpt" else f"<!-- {kind}: {path} -->"
        return f"{head}\n```{language}\n{body}```"
    return BLOCK.sub(block, page.read_text())


def quoted_lines(page):
    """(source path, the block's lines without their notes) of each excerpt in the page as it is."""
    for kind, path, _, _, body in BLOCK.findall(page.read_text()):
        if kind == "excerpt":
            yield (page.parent / path).resolve(), [line.split(NOTE)[0].rstrip() for line in body.splitlines()]


def main(argv):
    check = argv[1:] == ["--check"]
    stale = []
    for page in PAGES:
        made = render(page)
        if made != page.read_text():
            stale.append(page.relative_to(ROOT))
            if not check:
                page.write_text(made)
    if check and stale:
        print("excerpts: out of date with their sources (run scripts/excerpts.py): "
              + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
