"""Writes the PDF fixtures in tests/data (issue #29), so that the PDF reader is tested on
real printed files where no Chromium is installed:

* ``two_pages.pdf``: a report printed by Chromium whose long paragraph runs over the page
  break, with the title as running header and ``— N —`` as footer;
* ``encrypted.pdf``: a one-line report printed by Chromium, encrypted with pypdf
  (password ``secret``).

    python tests/make_pdf_fixtures.py          # needs chromium and pypdf
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.office_files import chromium_page, print_pdf, report_html

DATA = Path(__file__).resolve().parent / "data"
TITLE = "XX区人民法院2023年工作总结"
#: One paragraph of 30 distinct sentences: over half a page, after the title and heading
#: so a page break falls inside it.
LONG = "".join(
    f"第{n}项工作：全年办理此类案件{100 + n}件，同比增长{n}.5%，群众满意度稳步提升。"
    for n in range(1, 31)
)
TWO_PAGES = [
    TITLE,
    "一、主要工作",
    LONG,
    "二、存在的问题",
    "案多人少矛盾依然突出，队伍专业化水平有待提高。",
    "三、2024年工作安排",
    "深化诉源治理，力争诉讼案件数量下降5%。",
]


def main() -> None:
    from pypdf import PdfWriter

    with chromium_page() as page:
        print_pdf(page, report_html("\n".join(TWO_PAGES)), DATA / "two_pages.pdf")
        tiny = print_pdf(page, report_html(f"{TITLE}\n全年审结案件1343件。"), DATA / "tiny.pdf")
    writer = PdfWriter(clone_from=tiny)
    writer.encrypt("secret", algorithm="AES-128")
    writer.write(DATA / "encrypted.pdf")
    tiny.unlink()


if __name__ == "__main__":
    main()
