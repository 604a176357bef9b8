"""Repository-wide test settings: where the publisher's sample documents live, when present."""
from pathlib import Path

import pytest

ROOT = Path(__file__).parent
CORPUS_SAMPLE = ROOT.parent / "shared" / "corpus-sample"


@pytest.fixture(scope="session")
def corpus_sample() -> Path:
    """The folder of real dataflow documents beside the repository; the test skips without it."""
    if not CORPUS_SAMPLE.is_dir():
        pytest.skip(f"{CORPUS_SAMPLE} is absent: the publisher's sample documents are not on this machine")
    return CORPUS_SAMPLE


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    return ROOT / "specs"
