#!/usr/bin/env python3
"""Checks the DOM of an HTML report page as a browser left it (chromium --dump-dom).

  html_dom_check.py safe DOM SCRIPTS MARKER...
      only the report's own elements and attributes: SCRIPTS <script>
      elements, no element outside the report's vocabulary (no <img>,
      <iframe>...), no on* attribute, no javascript: link; and every MARKER
      appears in the page's text (the hostile data was shown, as text).
  html_dom_check.py index DOM RESULTS...
      the totals of each run (one RESULTS per agent column, in order) equal
      its results.json summary; one case row per distinct id; the filter bar
      is there and was shown by its script.
  html_dom_check.py section DOM SECTION RESULTS...
      after index.html#section=SECTION, the visible case rows are exactly the
      ids of that section.
  html_dom_check.py nojs INDEX RESULTS...
      index.html as written (what a browser shows without scripts): every
      case row visible, one per distinct id, and the filter bar hidden.
  html_dom_check.py failed DOM RESULTS...
      after index.html#failed, the visible case rows are exactly the failed
      cases of the runs.
  html_dom_check.py links DIR
      every href/src/action of every page under DIR is a relative link to an
      existing page inside DIR: nothing is loaded from, or linked to,
      anywhere else.
Prints what is wrong and exits 1, or exits 0.
"""
import json
import os
import sys
from urllib.parse import urlsplit
from html.parser import HTMLParser

VOID = {"meta", "input", "br", "img", "link", "hr", "source", "embed", "area", "base", "col",
        "wbr", "track", "param"}
ALLOWED = {"html", "head", "meta", "title", "style", "script", "body", "h1", "h2", "h3", "p",
           "a", "table", "thead", "tbody", "tr", "th", "td", "pre", "span", "div", "label",
           "input", "select", "option", "br"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], []

    def hidden(self):
        node = self
        while node:
            if "hidden" in node.attrs:
                return True
            node = node.parent
        return False

    def all_text(self):
        return "".join(self.text) + "".join(c.all_text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.current = self.root
        self.texts = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text.append(data)
        # what a reader sees: text in <body>, not in <script> or <style>
        tags, node = set(), self.current
        while node:
            tags.add(node.tag)
            node = node.parent
        if "body" in tags and not tags & {"script", "style"}:
            self.texts.append(data)


def load(path):
    tree = Tree()
    with open(path, encoding="utf-8", errors="strict") as f:
        tree.feed(f.read())
    tree.close()
    return tree


def by_id(tree, ident):
    for node in tree.root.walk():
        if node.attrs.get("id") == ident:
            return node
    return None


def classes(node):
    return (node.attrs.get("class") or "").split()


def check_safe(tree, scripts, markers):
    problems = []
    nodes = list(tree.root.walk())[1:]
    found_scripts = sum(n.tag == "script" for n in nodes)
    if found_scripts != scripts:
        problems.append(f"{found_scripts} <script> elements, expected {scripts}")
    for n in nodes:
        if n.tag not in ALLOWED:
            problems.append(f"element <{n.tag}> that the report never writes: {n.attrs}")
        for name, value in n.attrs.items():
            if name.startswith("on"):
                problems.append(f"<{n.tag}> has an event handler attribute {name}={value!r}")
            if name in ("href", "src", "action") and "javascript:" in (value or "").lower():
                problems.append(f"<{n.tag}> has a script URL {name}={value!r}")
    text = "".join(tree.texts)
    for marker in markers:
        if marker not in text:
            problems.append(f"the page's text lacks {marker!r}")
    return problems


def check_index(tree, results):
    problems = []
    verdicts = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED", "NOT RUN"]
    ids = set()
    for i, path in enumerate(results):
        with open(path, encoding="utf-8") as f:
            run = json.load(f)
        ids |= {c["id"] for c in run["cases"]}
        for v in verdicts:
            cell = by_id(tree, f"totals-{i}-{v.replace(' ', '_')}")
            shown = cell.all_text().strip() if cell else None
            if shown != str(run["summary"][v]):
                problems.append(f"agent {i}: {v} total shows {shown!r}, results.json says "
                                f"{run['summary'][v]}")
    closes = ["OK", "FAILED", "UNCLEAN", "WRONG CODE", "FAILED BY CLIENT", "INFORMATIONAL",
              "NOT RUN"]
    for i, path in enumerate(results):
        with open(path, encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        for v in closes:
            cell = by_id(tree, f"close-totals-{i}-{v.replace(' ', '_')}")
            shown = cell.all_text().strip() if cell else None
            want = sum(c["close_outcome"] == v for c in cases)
            if shown != str(want):
                problems.append(f"agent {i}: close {v} total shows {shown!r}, results.json has "
                                f"{want}")
    for i, path in enumerate(results):
        with open(path, encoding="utf-8") as f:
            count = len(json.load(f)["cases"])
        cell = by_id(tree, f"totals-{i}-Missing")
        shown = cell.all_text().strip() if cell else None
        if shown != str(len(ids) - count):
            problems.append(f"agent {i}: Missing shows {shown!r}, expected {len(ids) - count}")
    rows = [n for n in tree.root.walk() if n.tag == "tr" and "case" in classes(n)]
    if len(rows) != len(ids):
        problems.append(f"{len(rows)} case rows, expected {len(ids)} distinct ids")
    row_ids = {r.children[0].all_text() for r in rows if r.children}
    if row_ids != ids:
        problems.append(f"case rows differ from the ids: {sorted(row_ids ^ ids)[:10]}")
    bar = by_id(tree, "filters")
    if bar is None:
        problems.append("no filter bar")
    elif "hidden" in bar.attrs:
        problems.append("the filter bar is still hidden: its script did not run")
    for ident in ("f-failed", "f-section", "f-search"):
        if by_id(tree, ident) is None:
            problems.append(f"no filter control #{ident}")
    status = by_id(tree, "f-status")
    want = f"{len(ids)} of {len(ids)} cases shown"
    if status is None or status.all_text() != want:
        problems.append(f"filter status {status.all_text() if status else None!r}, expected "
                        f"{want!r}")
    return problems


def check_visible(tree, results, wanted, what):
    """The visible case rows are exactly the ids of cases for which wanted() is true."""
    want = set()
    for path in results:
        with open(path, encoding="utf-8") as f:
            want |= {c["id"] for c in json.load(f)["cases"] if wanted(c)}
    rows = [n for n in tree.root.walk() if n.tag == "tr" and "case" in classes(n)]
    visible = {r.children[0].all_text() for r in rows if not r.hidden()}
    problems = []
    if not want:
        problems.append(f"no {what} in the runs: nothing to check")
    if visible != want:
        problems.append(f"visible rows {sorted(visible)[:10]} ({len(visible)}), expected "
                        f"the {len(want)} {what}")
    return problems


def check_links(top):
    problems = []
    top = os.path.realpath(top)
    pages = 0
    for folder, _, files in os.walk(top):
        for name in files:
            if not name.endswith(".html"):
                continue
            pages += 1
            path = os.path.join(folder, name)
            for node in load(path).root.walk():
                for attr in ("href", "src", "action", "srcset", "data"):
                    if attr not in node.attrs:
                        continue
                    link = node.attrs[attr] or ""
                    parts = urlsplit(link)
                    target = os.path.realpath(os.path.join(folder, parts.path))
                    if parts.scheme or parts.netloc or link.startswith("/") or \
                            not target.startswith(top + os.sep) or not os.path.isfile(target):
                        problems.append(f"{path}: <{node.tag} {attr}={link!r}> is not a page "
                                        f"of the report")
    if pages == 0:
        problems.append(f"no page under {top}")
    return problems


def main(argv):
    mode, dom = argv[1], argv[2]
    if mode == "links":
        problems = check_links(dom)
        for p in problems[:20]:
            print(p)
        return 1 if problems else 0
    tree = load(dom)
    if mode == "safe":
        problems = check_safe(tree, int(argv[3]), argv[4:])
    elif mode == "index":
        problems = check_index(tree, argv[3:])
    elif mode == "section":
        problems = check_visible(tree, argv[4:], lambda c: c["id"].split(".")[0] == argv[3],
                                 f"cases of section {argv[3]}")
    elif mode == "nojs":
        problems = check_visible(tree, argv[3:], lambda c: True, "cases")
        bar = by_id(tree, "filters")
        if bar is None or "hidden" not in bar.attrs:
            problems.append("the filter bar is not hidden without scripts")
    elif mode == "failed":
        problems = check_visible(tree, argv[3:], lambda c: c["failed"], "failed cases")
    else:
        problems = [f"unknown mode {mode}"]
    for p in problems:
        print(f"{dom}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
