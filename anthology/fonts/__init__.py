"""The volume's typefaces: found through fontconfig (`fontconfig`), checked before anything is
rendered, with a fingerprint for the chunk cache (`families`).

The writers' own font work lives with them: the EPUB's embedded subsets in
anthology.epub.fontsubset, the PDF's shared subsets in anthology.pdf.weasy.fontshare.
"""
