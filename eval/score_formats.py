"""The corpus as people receive it (issue #29): each report as Word and as PDF (printed
by Chromium and by LibreOffice, ``eval/make_formats.py``) summarized by the offline
engine, against the same report as text.

    python eval/make_formats.py && python eval/score_formats.py [--formats /tmp/formats]

Per form: items macro F1 against the gold (target: within 0.02 of the text's), the share
of the text summary's quotes that the form's summary quotes too (folded; target ≥ 95 %),
quotes that are not ``raw[start:end]`` (must be 0), and quotes holding a page number or
the running header (must be 0).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.score_sets import figures  # noqa: E402
from summarizer.grounding import verify  # noqa: E402
from summarizer.normalize import fold  # noqa: E402
from summarizer.normalize.layout import is_page_number  # noqa: E402
from summarizer.offline import summarize_offline  # noqa: E402
from summarizer.read import read_document  # noqa: E402

FORMS = {"docx": "docx", "chromium": "pdf", "libreoffice": "pdf"}


def _numbers(text: str) -> set[str]:
    return {fold(line).replace(" ", "") for line in text.splitlines() if is_page_number(line)}


def quotes(path: Path, text: str | None = None) -> tuple[list[str], list[str], int]:
    """A file's summary quotes (folded), its grounding faults, and how many quotes hold
    page furniture the file added to ``text`` (the report as text): a page-number line
    or the title where the text has none of them there."""
    doc = read_document(path)
    text = doc.raw if text is None else text
    summary = summarize_offline(doc)
    found = [
        quote
        for section in (summary.achievements, summary.problems, summary.plans)
        for item in section
        for quote in item.evidence
    ] + [m.evidence for m in summary.metrics]
    title = fold(doc.raw.strip().splitlines()[0])[:40]
    own = _numbers(text)
    titles = fold(text).count(title)

    def leaked(quote: str) -> bool:
        numbered = bool(_numbers(quote) - own)
        return numbered or (
            bool(title) and title in fold(quote) and fold(doc.raw).count(title) > titles
        )

    furniture = [q for q in found if leaked(q)]
    for quote in furniture:
        print(f"  {path.name}: furniture in {quote[:60]!r}", file=sys.stderr)
    return [fold(q) for q in found], verify(summary, doc.raw), len(furniture)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", type=Path, default=Path("/tmp/formats"))
    args = parser.parse_args()
    corpus, gold = ROOT / "eval" / "corpus", ROOT / "eval" / "gold"
    base = figures(gold, corpus)
    assert base is not None
    print(f"text         macro F1 {base['macro_f1']:.3f}")
    texts = {p.stem: quotes(p)[0] for p in sorted(corpus.glob("*.txt"))}
    for form, suffix in FORMS.items():
        folder = args.formats / form
        files = sorted(folder.glob(f"*.{suffix}"))
        files = [f for f in files if f.stem in texts]
        if not files:
            print(f"{form:12} no files under {folder}; run eval/make_formats.py")
            continue
        now = figures(gold, folder)
        assert now is not None
        same = total = faults = furniture = 0
        for path in files:
            text = (corpus / f"{path.stem}.txt").read_text(encoding="utf-8")
            found, problems, leaked = quotes(path, text)
            pool = set(found)
            same += sum(1 for q in texts[path.stem] if q in pool)
            total += len(texts[path.stem])
            faults += len(problems)
            furniture += leaked
        print(
            f"{form:12} macro F1 {now['macro_f1']:.3f} ({now['macro_f1'] - base['macro_f1']:+.3f})"
            f"  quotes as the text's {same / total:.3f}  not verbatim {faults}"
            f"  with page furniture {furniture}"
        )


if __name__ == "__main__":
    main()
