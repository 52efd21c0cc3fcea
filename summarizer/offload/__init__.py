"""Offload: a batch's model calls handed to a batch engine instead of sent one by one.

Three ways to the same results file:

* ``summarizer batch INPUTS --export requests.jsonl`` (:mod:`.requests`): the requests
  the online path would send, one line each, for the OpenAI Batch API (and the providers
  that speak it) or ``vllm run-batch``; nothing is sent.
* ``summarizer batch INPUTS --import results.jsonl --out out.jsonl``: the engine's
  answers taken as each call's first answer and treated exactly as online answers
  (:class:`summarizer.pipeline.Summarizer` with ``engine=Imported(replies)``); what
  fails is asked online when an endpoint is configured, else named for a resend.
* ``summarizer batch INPUTS --via openai-batch --out out.jsonl`` (:mod:`.remote`): the
  round trip through a provider's Files and Batches API, resumable from a record kept
  beside ``--out``.
"""

from summarizer.offload.requests import Exported, write_requests

__all__ = ["Exported", "write_requests"]
