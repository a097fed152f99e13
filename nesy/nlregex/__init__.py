"""Regexes from English descriptions (Deep-Regex, Locascio et al. 2016), checked and repaired symbolically.

A sequence-to-sequence network (`model`) proposes a beam of Deep-Regex token sequences; `rerank`
reads them with `dsl.regex.deepregex`, drops the malformed and the empty-language ones, merges
language-equal ones (exact, `dsl.regex.equivalence`) and, given positive / negative strings, keeps
the consistent ones or repairs near misses with the example-driven regex search. `data` reads the
NL-RX / KB13 files by path; `bench` scores a split by exact language equivalence.
"""
