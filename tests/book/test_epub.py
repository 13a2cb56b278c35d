"""The EPUB edition, read back from the built file: structure, text, print pages, metadata,
escaping of hostile text, determinism and EPUBCheck's verdict.

Two books are built once per module: the demo volume with the page numbers of its real print PDF,
and a small hostile volume (XSS vectors, footnotes, images, embedded fonts).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from ebooklib import epub as ebooklib_epub
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from anthology.build import main as build_main
from anthology.epub import metadata, validator, write_epub, xhtml
from anthology.pdf import write_pdf
from anthology.sources import load_manuscript
from anthology.sources.manuscript import Manuscript, Part
from anthology.text.markdown import render

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO = ROOT / "content" / "volumes" / "demo.toml"
EPOCH = 1767225600  # 2026-01-01T00:00:00Z
NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def h(tag: str) -> str:
    """The qualified XHTML name of `tag`."""
    return f"{{{NS['h']}}}{tag}"


HOSTILE_TITLE = '<script>alert("t")</script>标题 & <b>粗</b>'
HOSTILE_PEN = "<img src=x onerror=alert(1)>"
HOSTILE_BODY = """正文<script>alert(1)</script>继续。

<img src=x onerror=alert(2)> <a href="javascript:alert(3)">点我</a>
<iframe src="https://evil.invalid/"></iframe>

<svg onload=alert(4)><circle r="1"/></svg> <math><mi>x</mi></math> <object data="x"></object>

[链接](javascript:alert(6)) <div onclick="alert(7)">块</div> <style>body{color:red}</style>

&lt;script&gt;文字&lt;/script&gt; 1 < 2 && 3 > 2 "引号" ]]> <!-- 注释 --> &#0; &#x202E;反转

<h2 id="page-7">撞车的标题</h2> <a href="#page-7">内部链接</a> <p id="toc">撞车的段落</p>
"""


def png_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def story(n: int, title: str, body: str, pen: str) -> dict:
    return {
        "id": n,
        "title": title,
        "body": body,
        "pen_name": pen,
        "organisation": "测试机构",
        "province": "测试省",
        "city": "测试市",
        "service_field": "community",
        "years_in_practice": 3,
        "revision": 1,
        "submitted_at": "2026-03-01T08:00:00Z",
        "accepted_at": "2026-04-01T08:00:00Z",
        "consents": {
            "licence": {"version": "2026-1", "accepted_at": "2026-03-01T08:00:00Z"},
            "people": {"version": "2026-1", "accepted_at": "2026-03-01T08:00:00Z"},
        },
        "privacy": {"unresolved_flags": 0, "override_reason": None},
    }


def hostile_volume(folder: Path) -> Manuscript:
    (folder / "front").mkdir()
    (folder / "front" / "preface.md").write_text(
        "---\ntitle: 前言\nauthor: 测试编委会\n---\n\n前言正文[^a]。\n\n[^a]: 前言的脚注。\n",
        encoding="utf-8",
    )
    (folder / "recipe.toml").write_text(
        'slug = "hostile"\ntitle = "测试卷 <i>斜</i>"\nsubtitle = "副标题 & 引号\\""\n'
        'editors = ["测试编委会"]\npublisher = "测试出版社"\nyear = 2026\n'
        'content = "."\nstories = "stories.json"\n[structure]\nfront = ["front/preface.md"]\n'
        'body = [{ stories = "all" }]\nback = ["contributors"]\n',
        encoding="utf-8",
    )
    bodies = [
        story(1, HOSTILE_TITLE, HOSTILE_BODY, HOSTILE_PEN),
        story(
            2,
            "有图有注",
            f"一张图：\n\n![红色方块]({png_data_url()})\n\n远程图 ![远程的图](https://images.invalid/a.png)"
            "\n\n一句话[^1]，再一句[^n]。\n\n[^1]: 第一条脚注。\n[^n]: 第二条 **粗体** 脚注。\n",
            "图文作者",
        ),
        story(3, "平常的故事——<续>", "2018年，我们在Android手机上填表……然后——结束。", "平常人"),
        story(4, "控制\u0001字符\ufffe", "正文\u000b含\ufffe不可见字符\u0002。", "无\u0008名"),
    ]
    data = {
        "format": "social-work-stories",
        "version": 1,
        "volume": {"slug": "hostile", "title": "测试卷"},
        "parts": [
            {"title": "第一组 <u>下划线</u>", "stories": bodies[:2]},
            {"title": "第二组\u0001", "stories": bodies[2:]},
        ],
    }
    (folder / "stories.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return load_manuscript(folder / "recipe.toml")


class Book:
    """An EPUB read back: its zip entries, parsed documents and package."""

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.infos = archive.infolist()
            self.files = {info.filename: archive.read(info) for info in self.infos}
        self.opf = etree.fromstring(self.files["EPUB/package.opf"])
        self.spine = [
            self.manifest_href(ref.get("idref"))
            for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)
        ]
        self.nav = self.xml("EPUB/text/nav.xhtml")

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.files[name])

    def manifest_href(self, item_id: str) -> str:
        item = self.opf.find(f"opf:manifest/opf:item[@id='{item_id}']", NS)
        return "EPUB/" + item.get("href")

    def documents(self) -> dict[str, etree._Element]:
        return {n: self.xml(n) for n in self.files if n.endswith(".xhtml")}

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def nav_labels(self, kind: str) -> list[tuple[str, str]]:
        nav = next(n for n in self.nav.iter(h("nav")) if n.get(EPUB_TYPE) == kind)
        return [(a.text, a.get("href")) for a in nav.iter(h("a"))]


def build(manuscript: Manuscript, out: Path, monkeypatch: pytest.MonkeyPatch, **options) -> Book:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    result = write_epub(manuscript, out, **options)
    book = Book(out)
    book.result = result  # type: ignore[attr-defined]
    return book


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """The demo volume: its print PDF (for the page numbers), then its EPUB."""
    folder = tmp_path_factory.mktemp("demo-epub")
    manuscript = load_manuscript(DEMO)
    pdf = write_pdf(manuscript, folder / "demo-print.pdf", variant="print")
    with pytest.MonkeyPatch.context() as monkeypatch:
        book = build(manuscript, folder / "demo.epub", monkeypatch, chapter_pages=pdf.chapter_pages)
    return manuscript, pdf, book


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("hostile-epub")
    manuscript = hostile_volume(folder)
    pages = {c.id: n for n, c in enumerate(manuscript.chapters(), 1)}
    pages["part-1"] = 7  # the same label as the hostile <h2 id="page-7">
    with pytest.MonkeyPatch.context() as monkeypatch:
        book = build(
            manuscript, folder / "hostile.epub", monkeypatch, chapter_pages=pages, embed_fonts=True
        )
    return manuscript, book, folder


# -- EPUBCheck ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def verdicts(demo, hostile, tmp_path_factory):
    """EPUBCheck on both books and on a deliberately broken copy, run side by side."""
    broken = tmp_path_factory.mktemp("broken") / "broken.epub"
    with zipfile.ZipFile(demo[2].path) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            if info.filename != "EPUB/text/story-1.xhtml":  # in the manifest, missing in the zip
                target.writestr(info, source.read(info))
    demo_report, hostile_report, broken_report = validator.check_many(
        [demo[2].path, hostile[1].path, broken]
    )
    return {"demo": demo_report, "hostile": hostile_report, "broken": broken_report}


def test_epubcheck_finds_no_error_or_warning_in_the_demo_volume(verdicts):
    assert verdicts["demo"].ok, verdicts["demo"].summary()


def test_epubcheck_finds_no_error_or_warning_in_the_hostile_volume(verdicts):
    assert verdicts["hostile"].ok, verdicts["hostile"].summary()


def test_epubcheck_runner_reports_a_broken_book(verdicts):
    report = verdicts["broken"]
    assert not report.ok
    assert any(m.severity == "ERROR" and "story-1.xhtml" in str(m) for m in report.problems)


# -- container and documents --------------------------------------------------------------------


def test_container_is_deterministic_ocf(demo):
    book = demo[2]
    first = book.infos[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert book.files["mimetype"] == b"application/epub+zip"
    assert first.extra == b""
    assert {info.date_time for info in book.infos} == {(2026, 1, 1, 0, 0, 0)}
    assert b'full-path="EPUB/package.opf"' in book.files["META-INF/container.xml"]


def test_every_document_is_non_empty_xhtml_in_chinese(demo, hostile):
    for book in (demo[2], hostile[1]):
        for name, root in book.documents().items():
            assert root.get("lang") == "zh-CN" and root.get(XML_LANG) == "zh-CN", name
            body = root.find("h:body", NS)
            has_text = bool("".join(body.itertext()).strip())
            assert has_text or body.find(".//h:img", NS) is not None, name
        assert book.opf.get(XML_LANG) == "zh-CN"
        assert book.opf.findtext("opf:metadata/dc:language", namespaces=NS) == "zh-CN"
        assert book.xml("EPUB/toc.ncx").get(XML_LANG) == "zh-CN"


def test_check_refuses_malformed_or_empty_documents():
    with pytest.raises(ValueError, match="well-formed"):
        xhtml.check("x.xhtml", b"<html xmlns='http://www.w3.org/1999/xhtml'><body><p>a</body>")
    with pytest.raises(ValueError, match="empty body"):
        xhtml.check("y.xhtml", b"<html xmlns='http://www.w3.org/1999/xhtml'><body> </body></html>")


def test_reading_order_is_the_print_order(demo):
    manuscript, _, book = demo
    expected = ["cover", "titlepage", "imprint", *[c.id for c in manuscript.front], "nav"]
    for item in manuscript.body:
        if isinstance(item, Part):
            expected += [item.id, *[c.id for c in item.chapters]]
        else:
            expected.append(item.id)
    expected += ["back-contributors", *[c.id for c in manuscript.back]]
    assert [Path(name).stem for name in book.spine] == expected


# -- navigation ---------------------------------------------------------------------------------


def test_nav_lists_every_story_in_order_with_parts_nested(demo):
    manuscript, _, book = demo
    labels = [label for label, _ in book.nav_labels("toc")]
    stories = [c.title for c in manuscript.stories()]
    assert [label for label in labels if label in stories] == stories
    toc = next(n for n in book.nav.iter(h("nav")) if n.get(EPUB_TYPE) == "toc")
    for part in manuscript.parts():
        item = next(
            li for li in toc.iterfind(".//h:li", NS) if li.findtext("h:a", None, NS) == part.title
        )
        nested = [a.text for a in item.iterfind("h:ol/h:li/h:a", NS)]
        assert nested == [c.title for c in part.chapters]


def test_navigation_labels_are_chinese(demo):
    book = demo[2]
    assert book.nav.findtext(".//h:h1", namespaces=NS) == "目录"
    assert book.nav_labels("landmarks") == [
        ("封面", "cover.xhtml"),
        ("目录", "nav.xhtml#toc"),
        ("正文", f"{Path(book.spine[5]).name}"),
    ]
    text = b"".join(book.files[n] for n in ("EPUB/text/nav.xhtml", "EPUB/toc.ncx"))
    for english in (b"Guide", b"Pages", b"Table of Contents", b"Cover", b"Contents"):
        assert english not in text


def test_ncx_matches_the_nav(demo):
    book = demo[2]
    ncx = book.xml("EPUB/toc.ncx")
    labels = [t.text for t in ncx.iterfind(".//ncx:navPoint/ncx:navLabel/ncx:text", NS)]
    assert labels == [label for label, _ in book.nav_labels("toc")]
    orders = [int(p.get("playOrder")) for p in ncx.iterfind(".//ncx:navPoint", NS)]
    assert orders == list(range(1, len(orders) + 1))
    uid = ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content")
    assert uid == book.opf.findtext("opf:metadata/dc:identifier", namespaces=NS)


# -- print page numbers -------------------------------------------------------------------------


def _folios_of_chapter_starts(pdf_path: Path) -> dict[str, str]:
    """First line of each PDF page (spaces removed) -> the folio printed at its foot."""
    squeeze = re.compile(r"\s+")
    out: dict[str, str] = {}
    for page in PdfReader(pdf_path).pages:
        lines = [line for line in page.extract_text().splitlines() if line.strip()]
        if lines:
            out.setdefault(squeeze.sub("", lines[0]), lines[-1].strip())
    return out


def test_page_list_matches_the_print_pdf(demo):
    manuscript, pdf, book = demo
    entries = book.nav_labels("page-list")
    assert [label for label, _ in entries] == [
        str(pdf.chapter_pages[d])
        for d in (Path(n).stem for n in book.spine)
        if d in pdf.chapter_pages
    ]
    folios = _folios_of_chapter_starts(pdf.path)
    by_file = {href.split("#")[0]: (label, href) for label, href in entries}
    for chapter in manuscript.chapters():
        label, href = by_file[f"{chapter.id}.xhtml"]
        assert label == folios[re.sub(r"\s+", "", chapter.title)], chapter.id
        marker = book.xml(f"EPUB/text/{href.split('#')[0]}").find(".//h:section/h:span", NS)
        assert marker.get("id") == href.split("#")[1]
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == label
    assert "pageNavigation" in book.meta("schema:accessibilityFeature")
    assert book.opf.findtext("opf:metadata/dc:source", namespaces=NS)


# -- metadata -----------------------------------------------------------------------------------


def test_package_metadata(demo):
    manuscript, _, book = demo
    meta = manuscript.meta
    md = book.opf.find("opf:metadata", NS)
    titles = md.findall("dc:title", NS)
    assert [t.text for t in titles] == [meta.title, meta.subtitle]
    types = {m.get("refines"): m.text for m in md.iterfind("opf:meta[@property='title-type']", NS)}
    assert types == {"#title": "main", "#subtitle": "subtitle"}
    assert md.findtext("dc:identifier", namespaces=NS) == (
        f"urn:uuid:{uuid.uuid5(metadata.VOLUME_NAMESPACE, meta.slug)}"  # the demo ISBN is fake
    )
    editor = md.find("dc:creator", NS)
    assert editor.text == meta.editors[0]
    roles = {m.get("refines"): m.text for m in md.iterfind("opf:meta[@property='role']", NS)}
    assert roles[f"#{editor.get('id')}"] == "edt"
    authors = {c.text for c in md.iterfind("dc:contributor", NS)}
    assert {c.story.pen_name for c in manuscript.stories()} <= authors
    assert md.findtext("dc:publisher", namespaces=NS) == meta.publisher
    assert md.findtext("dc:description", namespaces=NS)
    assert "社会工作" in [s.text for s in md.iterfind("dc:subject", NS)]
    assert book.meta("dcterms:modified") == ["2026-01-01T00:00:00Z"]


def test_isbn_becomes_the_identifier_when_real(demo):
    manuscript = demo[0]
    real = dataclasses.replace(
        manuscript, meta=dataclasses.replace(manuscript.meta, isbn_is_demo=False)
    )
    digits = re.sub(r"\D", "", manuscript.meta.isbn)
    assert metadata.identifier(real) == f"urn:isbn:{digits}"
    other = dataclasses.replace(manuscript, meta=dataclasses.replace(manuscript.meta, slug="x"))
    assert metadata.identifier(other) != metadata.identifier(manuscript)


def test_accessibility_metadata_follows_the_content():
    plain = dict(metadata.accessibility(metadata.Facts(images=1, images_with_alt=1)))
    features = [v for k, v in metadata.accessibility(metadata.Facts()) if k.endswith("Feature")]
    assert "pageNavigation" not in features and "alternativeText" not in features
    assert plain["dcterms:conformsTo"] == metadata.CONFORMANCE
    missing = metadata.accessibility(metadata.Facts(images=2, images_with_alt=1, page_list=True))
    values = [v for _, v in missing]
    assert "alternativeText" not in values and metadata.CONFORMANCE not in values
    assert "pageNavigation" in values and "printPageNumbers" in values
    assert "1张图片缺少替代文字" in dict(missing)["schema:accessibilitySummary"]


def test_book_accessibility_metadata(demo, hostile):
    demo_book, hostile_book = demo[2], hostile[1]
    assert demo_book.meta("schema:accessMode") == ["textual", "visual"]  # the cover image
    assert demo_book.meta("schema:accessibilityHazard") == ["none"]
    features = hostile_book.meta("schema:accessibilityFeature")
    for feature in ("tableOfContents", "readingOrder", "structuralNavigation", "pageNavigation"):
        assert feature in features
    assert "alternativeText" in features  # the cover and the red square have alt text
    assert hostile_book.meta("dcterms:conformsTo") == [metadata.CONFORMANCE]
    summary = hostile_book.meta("schema:accessibilitySummary")[0]
    assert "脚注" in summary and "页码" in summary


# -- content --------------------------------------------------------------------------------------


def test_hostile_text_stays_text(hostile):
    _, book, _ = hostile
    for name, root in book.documents().items():
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            local = etree.QName(element).localname
            assert local not in {"script", "iframe", "svg", "math", "object", "style", "embed"}
            for attribute, value in element.attrib.items():
                assert not etree.QName(attribute).localname.lower().startswith("on"), name
                assert not value.strip().lower().startswith("javascript:"), name
        ids = [e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")]
        assert len(ids) == len(set(ids)), name
    story = book.xml("EPUB/text/story-1.xhtml")
    heading = "".join(story.find(".//h:h1", NS).itertext()).replace("\u2009", "")
    assert heading == HOSTILE_TITLE
    assert HOSTILE_PEN in story.findtext(".//h:p[@class='byline']", namespaces=NS)
    text = "".join(story.find(".//h:div[@class='text']", NS).itertext())
    assert "<script>文字</script>" in text and "1 < 2 && 3 > 2" in text
    assert "反转" in text and "\u202e" not in text  # no bidi override via &#x202E;
    assert HOSTILE_TITLE in [label for label, _ in book.nav_labels("toc")]
    markers = [e for e in story.iter() if isinstance(e.tag, str) and e.get("id") == "page-7"]
    assert markers == []  # the author's id="page-7" was renamed
    part = book.xml("EPUB/text/part-1.xhtml")
    assert part.find(".//h:span[@id='page-7']", NS).get(EPUB_TYPE) == "pagebreak"
    assert "<u>下划线</u>" in "".join(part.find(".//h:h1", NS).itertext())
    controls = book.xml("EPUB/text/story-4.xhtml")
    assert controls.findtext(".//h:h1", namespaces=NS) == "控制字符"
    assert "正文含不可见字符。" in "".join(controls.itertext())


def test_footnotes_are_noterefs_and_asides(hostile):
    story = hostile[1].xml("EPUB/text/story-2.xhtml")
    refs = [a for a in story.iter(h("a")) if a.get(EPUB_TYPE) == "noteref"]
    asides = list(story.iter(h("aside")))
    assert len(refs) == 2 and len(asides) == 2
    for ref, aside in zip(refs, asides, strict=True):
        assert ref.get("href") == f"#{aside.get('id')}"
        assert aside.get(EPUB_TYPE) == "footnote" and aside.get("role") == "doc-footnote"
        back = next(a for a in aside.iter(h("a")) if a.get("role") == "doc-backlink")
        assert back.get("href") == f"#{ref.get('id')}"
    assert "第二条 粗体 脚注" in "".join(asides[1].itertext())


def test_images_become_files_and_remote_ones_their_alt_text(hostile):
    _, book, _ = hostile
    story = book.xml("EPUB/text/story-2.xhtml")
    images = list(story.iter(h("img")))
    assert len(images) == 1 and images[0].get("alt") == "红色方块"
    path = "EPUB/" + images[0].get("src").removeprefix("../")
    assert Image.open(io.BytesIO(book.files[path])).size == (4, 3)
    item = book.opf.find(f"opf:manifest/opf:item[@href='{path[5:]}']", NS)
    assert item.get("media-type") == "image/png"
    assert images[0].getparent().findtext("h:figcaption", namespaces=NS) == "红色方块"
    assert "［远程的图］" in "".join(story.itertext())
    assert any("images.invalid" in w for w in book.result.warnings)


def test_embedded_fonts_cover_the_text(hostile):
    _, book, _ = hostile
    fonts = [i for i in book.opf.iterfind("opf:manifest/opf:item", NS) if "fonts/" in i.get("href")]
    assert {f.get("media-type") for f in fonts} == {"font/woff"} and len(fonts) == 4
    css = book.files["EPUB/css/book.css"].decode()
    assert css.count("@font-face") == 4 and '"Anthology Serif"' in css
    serif = TTFont(io.BytesIO(book.files["EPUB/fonts/serif.woff"]))
    cmap = serif.getBestCmap()
    story = book.xml("EPUB/text/story-3.xhtml")
    text = "".join(story.find(".//h:div[@class='text']", NS).itertext())
    assert all(ord(ch) in cmap for ch in text if not ch.isspace())
    for face, element in (("sans", ".//h:h1"), ("sans-regular", ".//h:p[@class='byline']")):
        font_cmap = TTFont(io.BytesIO(book.files[f"EPUB/fonts/{face}.woff"])).getBestCmap()
        shown = "".join(story.find(element, NS).itertext())
        assert all(ord(ch) in font_cmap for ch in shown if not ch.isspace()), face


BUILD_AGAIN = """
import json, sys
from anthology.epub import write_epub
from anthology.sources import load_manuscript
pages = json.loads(sys.argv[3])
write_epub(load_manuscript(sys.argv[1]), sys.argv[2], chapter_pages=pages, embed_fonts=True)
"""


def test_same_input_same_bytes_in_another_process(hostile, tmp_path, monkeypatch):
    """Another process, another hash seed, the same SOURCE_DATE_EPOCH: the same bytes."""
    manuscript, book, folder = hostile
    pages = {c.id: n for n, c in enumerate(manuscript.chapters(), 1)}
    pages["part-1"] = 7
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONHASHSEED": "12345"}
    again = tmp_path / "again.epub"
    subprocess.run(
        [sys.executable, "-c", BUILD_AGAIN, str(folder / "recipe.toml"), str(again),
         json.dumps(pages)],
        check=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert again.read_bytes() == book.path.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86400))
    later = write_epub(manuscript, tmp_path / "later.epub")
    assert Book(later.path).meta("dcterms:modified") == ["2026-01-02T00:00:00Z"]


def test_relative_images_only_from_the_chapter_folder(tmp_path):
    (tmp_path / "history").mkdir()
    Image.new("RGB", (2, 2)).save(tmp_path / "history" / "map.gif", format="GIF")
    Image.new("RGB", (2, 2)).save(tmp_path / "secret.png", format="PNG")
    html = '<p><img src="map.gif" alt="地图"><img src="../secret.png" alt="机密"></p>'
    body = xhtml.convert(html, images_from=tmp_path / "history")
    assert [(r.media_type, r.name.endswith(".gif")) for r in body.images] == [("image/gif", True)]
    assert body.image_alts == ["地图"] and len(body.warnings) == 1
    text = "".join("".join(e.itertext()) for e in body.elements)
    assert "［机密］" in text
    assert xhtml.convert(html).images == []  # story text may not name files at all


def test_table_alignment_becomes_css():
    html = render('<table><tr><th align="center">甲</th><td align="bogus">乙</td></tr></table>')
    assert 'align="center"' in html  # the sanitizer keeps it; EPUB's HTML rules do not
    cells = [c for e in xhtml.convert(html).elements for c in e.iter(h("td"), h("th"))]
    assert [c.get("style") for c in cells] == ["text-align: center", None]
    assert all("align" not in c.attrib for c in cells)


def test_ebooklib_reads_the_book(demo):
    manuscript, pdf, book = demo
    read = ebooklib_epub.read_epub(str(book.path))
    assert read.title == manuscript.meta.title
    assert read.get_metadata("DC", "language")[0][0] == "zh-CN"
    top = [item[0].title if isinstance(item, tuple) else item.title for item in read.toc]
    expected = [c.title for c in manuscript.front] + [item.title for item in manuscript.body]
    assert top == [*expected, "作者名录", *[c.title for c in manuscript.back]]
    assert len(read.pages) == len(pdf.chapter_pages)


def test_epub_only_build_still_has_print_pages(demo, tmp_path, capsys):
    manuscript, pdf, _ = demo
    code = build_main([str(DEMO), "--format", "epub", "--out", str(tmp_path), "-q", "--no-cache"])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{manuscript.meta.slug}.epub"]
    book = Book(tmp_path / f"{manuscript.meta.slug}.epub")
    # Every printed page is in the page-list (issue 13); each chapter's first page in its own
    # document (a blank verso before it goes with it too).
    pages = {label: href.split(".xhtml")[0] for label, href in book.nav_labels("page-list")}
    assert len(pages) == len(book.nav_labels("page-list")) == len(pdf.page_starts) - 2  # TOC
    assert {key: pages[str(value)] for key, value in pdf.chapter_pages.items()} == {
        key: key for key in pdf.chapter_pages
    }


def test_a_volume_without_chapters_still_has_a_table_of_contents(tmp_path):
    (tmp_path / "empty.toml").write_text('slug = "empty"\ntitle = "空卷"\n', encoding="utf-8")
    result = write_epub(load_manuscript(tmp_path / "empty.toml"), tmp_path / "empty.epub")
    book = Book(result.path)
    assert book.nav_labels("toc") == [("空卷", "titlepage.xhtml")]
    assert book.xml("EPUB/toc.ncx").find(".//ncx:navMap/ncx:navPoint", NS) is not None
    assert result.pages == 0 and "pageNavigation" not in book.meta("schema:accessibilityFeature")


def test_titles_keep_dashes_together_and_stay_text_in_both_editions(hostile):
    from anthology.pdf.html import _env, chapter_block

    chapter = hostile[0].stories()[2]
    assert chapter.title == "平常的故事——<续>"
    html = _env().get_template("book/blocks.html").module.chapter(chapter_block(chapter), "body")
    assert '平常的故事<span class="nobr">——</span>&lt;续&gt;</h1>' in html  # the print edition
    heading = hostile[1].xml("EPUB/text/story-3.xhtml").find(".//h:h1", NS)
    assert heading.text == "平常的故事" and heading[0].get("class") == "nobr"
    assert heading[0].text == "——" and heading[0].tail == "<续>"
