"""Max-of-K's checker rules (docs/certificate.md §4–§9): the cubic cases (`cubic`), the subcubic cases (`subcubic`)
and the input rule (`inputs`), which mechproof.checker.check applies to a Max-of-K certificate.

Like the rest of the checker, these modules import only the file parsers and the checker's own modules, and
compute with Python integers and fractions.
"""
