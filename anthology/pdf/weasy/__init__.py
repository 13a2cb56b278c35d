"""Every place where the book builder reaches into WeasyPrint's internals (not its public API).

Written against WeasyPrint 70.0, the only version they have been tested with (pyproject.toml's
`weasyprint>=62` does not vouch for them). Before upgrading WeasyPrint, read the functions named
below in the new version, then run tests/book/test_speedups.py (pages equal to stock WeasyPrint),
tests/book/test_chunks.py (chunked build equal to one pass, mirrored chunks, TOC and
contributors' pages rewritten) and
tests/book/test_pdf.py (justified lines, fonts, folios).

- `justify`: inter-character justification of Chinese lines. Wraps
  `layout.inline.count_expandable_spaces` and `layout.inline.justify_line`, and
  `text.line_break.Layout.set_text` (reads `justification_spacing`; adds Pango letter-spacing
  attributes through `text.ffi.pango` and `TO_UNITS`).
- `leaders`: dot leaders a fixed gap before the page number. Wraps `layout.inline.handle_leader`
  (reads `layout.leader.leader_index`, the leader box's `children`, `position_x`, `width`,
  `style["font_size"]`, `Box.copy`); installed by `justify.install`.
- `notes`: footnotes numbered per page. Wraps `layout_document` as `weasyprint.document` imports
  it (a generator of page boxes; reads `root_box.element`), finds the `::footnote-call` and
  `::footnote-marker` boxes by `element_tag` and rewrites their text boxes as `folios` does;
  installed by `justify.install`.
- `rhythm`: figures and tables a whole number of lines high. Wraps `layout.block.
  block_level_layout` (as `_in_flow_layout` calls it; reads `context.page_bottom`, the box's
  `element`, `element_tag`, `is_table_wrapper`, `style["line_height"]`, `border_box_y`,
  `border_height`, `margin_bottom`, `height`, `translate`); installed by `justify.install`.
- `tagging`: the screen PDF's structure (pagination artifacts, Note, /Scope, figure BBoxes, one
  described link per TOC entry); its docstring lists the internals it wraps.
- `speedups`: output-neutral speed-ups. Wraps `layout.page.set_page_type_computed_styles` (reads
  `page_type.side/blank/name/index`, `style_for._sheets`, `sheet.page_rules`, the selectors'
  `index`, `style_for.get_computed_styles()`), `layout.inline.handle_leader` as `layout.inline`
  imports it (uses `layout.leader.leader_index`), `text.line_break.get_font_description`, and
  replaces `set_text`, `deactivate` and `reactivate` of `text.line_break.Layout` (Pango calls
  `pango_layout_set_single_paragraph_mode`, `pango_layout_set_width`). Its `set_text` wraps the
  one `justify` installed: install `justify` first. `leader_run` makes one leader text box from a
  copy of a repetition (`Box.copy`, a copied `pango_layout` without its Pango objects).
- `fontshare`: one font subset per face for a chunked book. Replaces `pdf.fonts.Font.subset`
  (reads `file_content`, `index`, `png`, `svg`, `tables`), wraps `pdf.fonts.Font.__init__` and
  `pdf.fonts.get_hb_object_data`, and subsets with the HarfBuzz bindings of `text.ffi`
  (`harfbuzz`, `harfbuzz_subset`, two functions declared with `ffi.cdef`).
- `folios`: patches nothing, but reads and rewrites laid-out pages (the page numbers of the
  contents and of the contributors list): `Page._page_box`, text boxes (`text`, `width`,
  `position_x`, `pango_layout`), line boxes and leaders (`is_leader`, the `leader_unit` that
  `speedups` sets), and measures text with `text.line_break.line_size`.
- `placement`: a chunk's first folio and side, between its pagination and its margin boxes.
  Wraps `layout.make_all_pages` and `layout.make_margin_boxes` (as `layout` imports them); its
  docstring lists what it reads.
- `fill`: patches nothing; finds the block boxes of `data-fill` elements (`box.element`,
  `boxes.BlockContainerBox`) in laid-out pages and rewrites their text boxes as `folios` does
  (tests/book/test_imprint.py).

Everything else in anthology.pdf uses WeasyPrint's public API only: `HTML(...).render()`,
`Document.pages`, `Page.anchors`, `Document.write_pdf(...)` and `text.fonts.FontConfiguration`.
"""
