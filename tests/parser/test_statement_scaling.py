"""Statement recognition is linear: the same results as the anchored patterns it replaced,
and a paragraph of thousands of repeated sentences is read at once, not in minutes."""
import re
import time

from hypothesis import given, settings, strategies as st

from generator.statements import fold_space, recognise

# The patterns recognise() used to apply (nested lazy groups: fine on real sentences, roughly
# n^3.4 on a paragraph repeating one). They stay here as the oracle for short texts.
_A = r"an?\s+"
_N = r"(?P<{}>.*?)"
_ORACLE = tuple((kind, re.compile(pattern, re.DOTALL)) for kind, pattern in (
    ("every", rf"^Every {_N.format('s')} will be synchronized with {_A}{_N.format('t')}\.$"),
    ("link_required", rf"^Before any synchronization can take place, a link between {_A}{_N.format('s')}"
                      rf" and {_A}{_N.format('t')} must be established\.$"),
    ("creation_rule", rf"^A new {_N.format('t')} will be created from {_A}{_N.format('s')} if it is connected"
                      rf" to {_A}{_N.format('via')} that is synchronized into {_N.format('into')}\.$"),
    ("merge_or_create", rf"^If a matching {_N.format('t')} already exists, the {_N.format('s')} will be merged"
                        r" with the existing one\. If no matching (?P<t2>.*?) is found, a new (?P<t3>.*?) will be created\.$"),
    ("merge_keys", rf"^An? {_N.format('s')} will merge with {_A}{_N.format('t')} if one of the following"
                   r" property combinations match:$"),
    ("bidirectional", rf"^Once a link between {_A}{_N.format('s')} and {_A}{_N.format('t')} is established,"
                      r" it will keep in sync between the two systems, regardless of where it is edited\.$"),
    ("properties", rf"^The following properties are synchronized between {_A}{_N.format('s')}"
                   rf" and {_A}{_N.format('t')}:$"),
    ("conditional", rf"^(?P<condition>.+), it will be synchronized with {_A}{_N.format('t')}\.$"),
))


def oracle(paragraph: str):
    text = fold_space(paragraph)
    for kind, pattern in _ORACLE:
        match = pattern.match(text)
        if match:
            groups = {k: v.strip() for k, v in match.groupdict().items() if k in ("s", "t", "into")}
            return kind, groups.get("s"), groups.get("t"), groups.get("into")
    return None


def summary(paragraph: str):
    s = recognise(paragraph)
    return None if s is None else (s.kind, s.source, s.target, s.into)


# Pieces of the publisher's phrases, names and punctuation, so that random texts come close to
# (and often are) sentences, with phrases repeated, truncated and out of order.
FRAGMENTS = [
    "Every ", " will be synchronized with ", "a ", "an ", "A ", "An ", ".", ",", ":", " ", "  ", "\n",
    "Before any synchronization can take place, a link between ", " and ", " must be established",
    "A new ", " will be created from ", " if it is connected to ", " that is synchronized into ",
    "If a matching ", " already exists, the ", " will be merged with the existing one. If no matching ",
    " is found, a new ", " will be created", " will merge with ", " if one of the following property combinations match",
    "Once a link between ", " is established, it will keep in sync between the two systems, regardless of where it is edited",
    "The following properties are synchronized between ", ", it will be synchronized with ",
    "Contact", "HubSpot Deal", "n", "x", "When a User is of type Agent", " or ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_same_results_as_the_anchored_patterns(pieces):
    paragraph = "".join(pieces)
    assert summary(paragraph) == oracle(paragraph)


def test_every_sentence_kind_still_matches_the_oracle():
    for paragraph in [
        "Every Customcrm Contact will be synchronized with an Chargebee Customer.",
        "A Contact will merge with an Account if one of the following property combinations match:",
        "An Order will merge with a Deal if one of the following property combinations match:",
        "When x, it will be synchronized with a y, it will be synchronized with an z.",
        "If a matching A already exists, the B will be merged with the existing one. If no matching A is found, "
        "a new A will be created.",
    ]:
        assert summary(paragraph) == oracle(paragraph) and summary(paragraph) is not None


def test_a_paragraph_of_10000_repeated_sentences_is_read_at_once():
    # Before: ~200 repeats without the final period took minutes (time grew as n^3.4). The bound
    # is generous on purpose (CI machines vary); benchmarks/ prints the figure.
    for sentence in ("If a matching A already exists, the B will be merged with the existing one. "
                     "If no matching A is found, a new A will be created ",
                     "A new A will be created from a B if it is connected to a C that is synchronized into D ",
                     "Every A will be synchronized with a B ",
                     "When x, it will be synchronized with a B "):
        started = time.perf_counter()
        assert recognise(sentence * 10_000) is None
        assert recognise((sentence * 10_000).rstrip() + ".") is not None
        assert time.perf_counter() - started < 5
