"""``summarizer schema``: the JSON Schema of the output (or of the model-facing draft)."""

from __future__ import annotations

import argparse
import json

from summarizer.cli.options import add_command

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """This command's parser, its flags and its handler."""
    parser = add_command(
        commands,
        "schema",
        help="print the JSON Schema of the output",
        description=(
            "Print the JSON Schema of ReportSummary (or, with --draft, of the "
            "smaller model-facing schema sent to the LLM)."
        ),
    )
    parser.add_argument("--draft", action="store_true", help="the model-facing schema instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from summarizer.schemas import DraftSummary, ReportSummary

    model = DraftSummary if args.draft else ReportSummary
    print(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2))
    return 0
