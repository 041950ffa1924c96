"""The table of contents of a notebook page points at the ids its headings really have."""

from __future__ import annotations

from mkdocs.structure.toc import AnchorLink

from tutorial_site.plugin import align_toc

HTML = """
<h1 id="one-hot-encoding">One-hot encoding<a class="anchor-link" href="#one-hot-encoding">¶</a></h1>
<h2 id="definition">Definition</h2>
<h2 id="fone_hot"><code>F.one_hot</code></h2>
<h3 id="a-note-on-num_workers">A note on <code>num_workers</code></h3>
<h2 id="summary">Summary</h2>
"""


def toc() -> list[AnchorLink]:
    title = AnchorLink("One-hot encoding", "one-hot-encoding", 1)
    definition = AnchorLink("Definition", "definition", 2)
    code = AnchorLink("F.one_hot", "_1", 2)
    note = AnchorLink("A note on num_workers", "a-note-on", 3)
    summary = AnchorLink("Summary", "summary", 2)
    code.children = [note]
    title.children = [definition, code, summary]
    return [title]


def flat(items: list[AnchorLink]) -> list[str]:
    return [ident for item in items for ident in (item.id, *flat(item.children))]


def test_entries_with_wrong_ids_take_the_ids_of_their_headings() -> None:
    links = toc()
    align_toc(links, HTML)
    assert flat(links) == [
        "one-hot-encoding",
        "definition",
        "fone_hot",
        "a-note-on-num_workers",
        "summary",
    ]


def test_correct_ids_are_kept_when_headings_are_missing_from_the_toc() -> None:
    links = [AnchorLink("Summary", "summary", 2)]
    align_toc(links, HTML)
    assert flat(links) == ["summary"]
