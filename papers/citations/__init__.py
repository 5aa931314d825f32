"""Citation formats out (BibTeX lives in ``papers.bibtex``): the kind of publication a
paper is, names split for formats that want family and given names, RIS, CSL-JSON and
formatted citations, and the registry the views, admin and commands export through."""
