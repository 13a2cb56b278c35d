"""The screen PDF's structure (issue 13): the cover a described Figure, pagination and leader
artifacts, notes, header scopes, one described link per TOC entry and per contributor's story;
in a one-pass and a chunked build alike (pikepdf reads them)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from anthology import build
from anthology.sources import load_manuscript

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content" / "volumes" / "demo.toml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["one pass", "chunks"])
def screen_path(request, tmp_path_factory):
    """The screen PDF as `build.py` writes it (the cover's front before the title page)."""
    out = tmp_path_factory.mktemp("screen")
    chunks = ["--chunk-pages", "5" if request.param == "chunks" else "0", "--workers", "2"]
    code = build.main([str(DEMO), "--format", "screen", "--out", str(out), "--no-cache", "-q",
                       *chunks])  # fmt: skip
    assert code == 0
    return out / "demo-screen.pdf"


@pytest.fixture(scope="module")
def screen(screen_path):
    return pikepdf.open(screen_path)


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


def _paint(page, shows=("Tj", "TJ", "Do")):
    """The page's marked content in paint order: ("mc", MCID) or ("artifact", /Type), once
    each, for the sequences that show text or draw a picture (`shows`)."""
    stack, out = [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BDC":
            properties = operands[1]
            if str(operands[0]) == "/Artifact":
                stack.append(("artifact", str(properties.get("/Type", ""))))
            else:
                stack.append(("mc", int(properties.MCID)) if "/MCID" in properties else None)
        elif op == "BMC":
            stack.append(("artifact", "") if str(operands[0]) == "/Artifact" else None)
        elif op == "EMC" and stack:
            stack.pop()
        elif op in shows and stack and stack[-1] is not None:
            if stack[-1][0] == "artifact" or stack[-1] not in out:
                out.append(stack[-1])
    return out


def _mcids(element, page):
    """The MCIDs on `page` under a structure element, in the tree's reading order."""
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int):
            if element.Pg.objgen == page.objgen:
                yield kid
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            if kid.get("/Pg", element.Pg).objgen == page.objgen:
                yield int(kid.MCID)
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _mcids(kid, page)


def _front(label: str) -> bool:
    """A front-matter page (folio in lower-case roman numerals)."""
    return re.fullmatch(r"[ivxlcdm]+", label) is not None


def _links(pdf):
    """(page index, link annotation, the Link element that owns it)."""
    owners = {}
    for element in _elements(pdf):
        if str(element.S) == "/Link":
            for kid in element.K if isinstance(element.K, pikepdf.Array) else [element.K]:
                if isinstance(kid, pikepdf.Dictionary) and str(kid.get("/Type")) == "/OBJR":
                    owners[kid.Obj.objgen] = element
    for index, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Link":
                yield index, annot, owners.get(annot.objgen)


def test_the_cover_is_a_figure_described_by_the_words_on_the_front(screen):
    meta = load_manuscript(DEMO).meta
    figure = _document(screen).K[0]  # the first thing a screen reader meets
    cover = screen.pages[0].obj
    assert str(figure.S) == "/Figure" and figure.Pg.objgen == cover.objgen
    alt = str(figure.Alt)
    assert alt.startswith("封面：")
    for words in (meta.title, meta.subtitle, meta.series, meta.publisher, *meta.editors):
        assert words and words in alt
    assert [float(v) for v in figure.A.BBox] == [float(v) for v in cover.MediaBox]
    # The page paints the picture as that Figure's marked content, and nothing else.
    assert _paint(cover) == [("mc", 0)]
    assert list(_mcids(figure, cover)) == [0]
    nums = screen.Root.StructTreeRoot.ParentTree.Nums
    mapped = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert mapped[int(cover.StructParents)][0].objgen == figure.objgen
    assert int(screen.Root.StructTreeRoot.ParentTreeNextKey) == max(mapped) + 1
    assert PdfReader(screen.filename).page_labels[:2] == ["封面", "i"]


def test_leaders_are_artifacts_and_each_entry_reads_title_then_number(screen):
    """A TOC or contributors-list entry paints its title, the dot leader (a layout artifact)
    and its page number, in the order the structure tree reads them."""
    entries = 0
    for index, annot, link in _links(screen):
        page = screen.pages[index].obj
        assert link is not None
        mcids = list(_mcids(link, page))
        assert len(mcids) >= 2  # the title's text, then the number
        painted = _paint(page)
        at = [painted.index(("mc", mcid)) for mcid in mcids]
        assert at == sorted(at), str(annot.Contents)
        between = painted[at[-2] + 1 : at[-1]]
        assert between and all(kind == ("artifact", "/Layout") for kind in between)
        entries += 1
    assert entries >= 30


def test_every_page_paints_its_text_in_the_structure_trees_order(screen):
    """What a reading-order check compares: the contributors list's names (floats, which CSS
    paints before the text beside them) included. (A story's pictures are painted after the
    page's text: not compared here.)"""
    _assert_paint_order(screen)


def _assert_paint_order(pdf):
    document = _document(pdf)
    for index, page in enumerate(pdf.pages):
        painted = [mcid for kind, mcid in _paint(page.obj, ("Tj", "TJ")) if kind == "mc"]
        shown = set(painted)
        read = [mcid for mcid in _mcids(document, page.obj) if mcid in shown]
        assert painted == read, f"page {index + 1}"


def _document(pdf):
    kids = pdf.Root.StructTreeRoot.K
    return kids[0] if isinstance(kids, pikepdf.Array) else kids


def test_a_title_with_a_compressed_pair_links_as_one_piece_of_text(tmp_path):
    """《“家”…》 sets the pair 《“ in 1.5 em (a span inside the link): the link's text is still
    read in order, its pieces in Spans (no Link holding both text and elements)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "tests" / "book" / "data", data)
    stories = json.loads((data / "stories.json").read_text("utf-8"))
    stories["parts"][0]["stories"][0]["title"] = "“家”的窗口"
    (data / "stories.json").write_text(json.dumps(stories, ensure_ascii=False), "utf-8")
    code = build.main([str(data / "volumes" / "small.toml"), "--format", "screen", "--out",
                       str(tmp_path), "--no-cache", "-q", "--chunk-pages", "0"])  # fmt: skip
    assert code == 0
    with pikepdf.open(tmp_path / "small-screen.pdf") as pdf:
        described = [str(annot.get("/Contents")) for _, annot, _ in _links(pdf)]
        assert sum(words.startswith("《“家”的窗口》，第") for words in described) == 2
        for _, _, link in _links(pdf):
            kids = list(link.K) if isinstance(link.K, pikepdf.Array) else [link.K]
            texts = [kid for kid in kids if isinstance(kid, int)]
            assert not texts or all(not isinstance(k, pikepdf.Dictionary) for k in kids)
        _assert_paint_order(pdf)


def test_running_heads_and_folios_are_pagination_artifacts(screen):
    artifacts = 0
    parent_tree = screen.Root.StructTreeRoot.ParentTree.Nums
    mapped = {int(parent_tree[i]): parent_tree[i + 1] for i in range(0, len(parent_tree), 2)}
    for page in screen.pages:
        for tag, properties in _marked_content(page):
            if tag == "/Artifact" and properties is not None:
                if str(properties.get("/Type")) == "/Layout":
                    continue  # a dot leader (test_leaders_are_artifacts_...)
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


def test_one_described_link_per_toc_entry_and_contributors_story(screen):
    manuscript = load_manuscript(DEMO)
    labels = PdfReader(screen.filename).page_labels
    index = {page.objgen: i for i, page in enumerate(p.obj for p in screen.pages)}
    dests = pikepdf.NameTree(screen.Root.Names.Dests)
    links = list(_links(screen))
    described = [str(annot.get("/Contents", "")) for _, annot, _ in links]
    pairs = [
        (_front(labels[at]), words) for (at, _, _), words in zip(links, described, strict=True)
    ]
    toc = [words for front, words in pairs if front]
    listed = [words for front, words in pairs if not front]
    contributors = manuscript.show_contributors and bool(manuscript.contributors)
    entries = len(manuscript.chapters()) + len(manuscript.parts()) + contributors
    assert len(toc) == len(set(toc)) == entries
    assert len(listed) == sum(len(c.story_ids) for c in manuscript.contributors)
    assert "《钥匙挂在门后》，第7页" in toc and "《钥匙挂在门后》，第7页" in listed
    assert set(listed) <= set(toc)  # a story's page is the same in both
    for (_, annot, _), words in zip(links, described, strict=True):
        label = re.fullmatch(r"《.+》，第([0-9]+|[ivxlcdm]+)页", words)
        assert label, words
        # The link leads to the page it names (a named destination, as WeasyPrint writes).
        dest = annot.get("/Dest", annot.get("/A", {}).get("/D"))
        target = dests[str(dest)] if isinstance(dest, pikepdf.String) else dest
        assert labels[index[target[0].objgen]] == label.group(1), words


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
