"""``summarizer schema``: the JSON Schema of the output (or of the model-facing draft)."""

from __future__ import annotations

import argparse
import json

__all__ = ["DESCRIPTION", "EPILOG", "HELP", "NAME", "register"]


NAME = "schema"
HELP = "print the JSON Schema of the output"
DESCRIPTION = (
    "Print the JSON Schema of ReportSummary (or, with --draft, of the "
    "smaller model-facing schema sent to the LLM)."
)
EPILOG: str | None = None


def register(parser: argparse.ArgumentParser) -> None:
    """This command's flags and handler."""
    parser.add_argument("--draft", action="store_true", help="the model-facing schema instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.schemas import DraftSummary, ReportSummary

    model = DraftSummary if args.draft else ReportSummary
    print(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2))
    return 0
