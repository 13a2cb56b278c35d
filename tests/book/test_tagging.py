"""The screen PDF's structure (issue 13): pagination artifacts, notes, header scopes, one
described link per TOC entry; in a one-pass and a chunked build alike (pikepdf reads them)."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from anthology.pdf import write_pdf
from anthology.sources import load_manuscript

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content" / "volumes" / "demo.toml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["one pass", "chunks"])
def screen(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("screen")
    chunks = {"chunk_pages": 5, "workers": 2, "cache_dir": out / "cache"}
    options = chunks if request.param == "chunks" else {}
    result = write_pdf(load_manuscript(DEMO), out / "demo-screen.pdf", "screen", **options)
    return pikepdf.open(result.path)


def _marked_content(page):
    """(tag, properties, shown text) of every marked-content sequence that shows text."""
    stack, out = [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BDC":
            stack.append((str(operands[0]), operands[1]))
        elif op == "BMC":
            stack.append((str(operands[0]), None))
        elif op == "EMC" and stack:
            stack.pop()
        elif op in ("Tj", "TJ") and stack:
            out.append(stack[-1])
    return out


def _elements(pdf):
    def walk(element):
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            yield element
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                yield from walk(kid)

    root = pdf.Root.StructTreeRoot.K
    for top in root if isinstance(root, pikepdf.Array) else [root]:
        yield from walk(top)


def test_running_heads_and_folios_are_pagination_artifacts(screen):
    artifacts = 0
    parent_tree = screen.Root.StructTreeRoot.ParentTree.Nums
    mapped = {int(parent_tree[i]): parent_tree[i + 1] for i in range(0, len(parent_tree), 2)}
    for page in screen.pages:
        for tag, properties in _marked_content(page):
            if tag == "/Artifact" and properties is not None:
                assert str(properties.get("/Type")) == "/Pagination"
                assert str(properties.get("/Subtype")) in ("/Header", "/Footer")
                artifacts += 1
            elif properties is not None and "/MCID" in properties:
                # Every piece of content is in the structure tree (no orphan marked content).
                nums = mapped[int(page.obj.StructParents)]
                assert nums[int(properties.MCID)] is not None
    # Each page with a running head or folio: the demo has about 25.
    assert artifacts >= 20


def test_footnotes_are_notes_and_header_cells_have_a_scope(screen):
    kinds = [str(e.S) for e in _elements(screen)]
    notes = [e for e in _elements(screen) if str(e.S) == "/Note"]
    assert notes and all("/ID" in note for note in notes)
    assert "/Reference" in kinds
    headers = [e for e in _elements(screen) if str(e.S) == "/TH"]
    assert headers and all(str(h.A.Scope) in ("/Column", "/Row") for h in headers)


def test_one_described_link_per_toc_entry(screen):
    manuscript = load_manuscript(DEMO)
    links = [
        annot
        for page in screen.pages
        for annot in page.obj.get("/Annots", [])
        if annot.get("/Subtype") == "/Link"
    ]
    toc = [str(a.Contents) for a in links if str(a.get("/Contents", "")).startswith("《")]
    contributors = manuscript.show_contributors and bool(manuscript.contributors)
    entries = len(manuscript.chapters()) + len(manuscript.parts()) + contributors
    assert len(links) == len(toc) == len(set(toc)) == entries  # the demo links nothing else
    assert "《钥匙挂在门后》，第7页" in toc
    assert all(re.fullmatch(r"《.+》，第([0-9]+|[ivxlcdm]+)页", words) for words in toc)


def test_list_items_are_in_lists(screen):
    """The contributors list is L > LI (LBody), not a list of Divs (PDF/UA-1 7.6)."""
    items = [e for e in _elements(screen) if str(e.S) == "/LI"]
    assert len(items) >= 11  # the demo's contributors
    assert all(str(item.P.S) == "/L" for item in items)
    lists = [e for e in _elements(screen) if str(e.S) == "/L"]
    for element in lists:
        kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
        assert all(
            str(kid.S) in ("/LI", "/L") for kid in kids if isinstance(kid, pikepdf.Dictionary)
        )
