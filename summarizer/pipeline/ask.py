"""Stage 2 of a model's summary, request → answer: each call asked (or its answer taken
from a batch engine's files, or from the cache for a part answered before), the parts'
drafts merged, what grounds of a failed answer salvaged. A request the server counts
longer than its context comes back as :class:`TooLong`, for the plan to cut finer."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from summarizer.batchfiles import Answered
from summarizer.budget import TokenScale
from summarizer.cache import Resend, SummaryCache
from summarizer.errors import (
    ConfigError,
    ContextLengthError,
    EmptySummaryError,
    ResendError,
    SummarizationError,
    SummarizerError,
    TruncationError,
)
from summarizer.llm import Held, HoldFirst, LLMBackend, Replay, ServeFirst
from summarizer.merge import merge
from summarizer.salvage import salvage
from summarizer.schemas import SECTIONS, DraftSummary, Usage
from summarizer.settings import Settings
from summarizer.source import Conversation, GroundedSource
from summarizer.steps import (
    Answer,
    Call,
    Engine,
    ExportOnly,
    Imported,
    Online,
    Request,
    TooLong,
)
from summarizer.throttle import Throttle

__all__ = ["Asker"]


class Asker:
    """Asks a request's calls with one configuration and one :data:`Engine`. ``scale`` is
    shared with the plan, which cuts by what this stage learns from the answers."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        scale: TokenScale,
        cache: SummaryCache,
        *,
        throttle: Throttle | None = None,
    ) -> None:
        self.settings = settings
        self._engine = engine
        self._scale = scale
        self._cache = cache
        self._throttle = throttle
        #: The LLM backend, made on the first call (it refuses a configuration with no
        #: endpoint, which only a model call needs).
        self.llm: LLMBackend | None = None

    def warm_up(self) -> None:
        """Create the running event loop's client now (importing openai and instructor),
        rather than inside the first request of a batch."""
        self._backend().client()

    def _backend(self) -> LLMBackend:
        if self.llm is None:
            replays = not isinstance(self._engine, Online)
            self.llm = LLMBackend(self.settings, throttle=self._throttle, replays=replays)
        return self.llm

    async def answer(self, request: Request) -> Answer | TooLong:
        """The model's validated draft, or what of its last answer grounds; for a report
        sent in chunks, the chunks' drafts merged (asked at once: a batch's throttle still
        bounds the requests in flight)."""
        try:
            if len(request.calls) == 1:
                return await self._answer_call(request.calls[0])
            tried = await asyncio.gather(*(self._tried(call) for call in request.calls))
            return self._merged(request, list(tried))
        except ContextLengthError:
            return TooLong(request)

    async def request_lines(self, request: Request) -> list[tuple[str, dict[str, Any]]]:
        """What a batch engine is to answer for ``request``: a (``custom_id``, body) line
        per call not answered before, its body the request the online path would send
        first (built by the client, never sent), or for a call whose engine answer failed
        validation, the re-ask it led to."""
        calls = request.calls
        if len(calls) > 1:  # parts answered before are in the cache, each on its own
            calls = tuple(c for c in calls if self.cached_part(c) is None)
        backend = self._backend()
        cache = self._cache
        lines = []
        for call in calls:
            resend = cache.get_resend(call.key)
            body = resend.body if resend is not None else None
            lines.append(
                (call.custom_id, body or await backend.request_body(call.messages, call.max_tokens))
            )
        return lines

    def cached_part(self, call: Call) -> Answer | None:
        """A part's draft answered before (a rerun after a crash pays only for the rest)."""
        entry = self._cache.get(call.key, call.source)
        return None if entry is None else Answer(entry.draft, Usage(), 0, entry.meta.dropped)

    async def _answer_call(self, call: Call) -> Answer:
        backend = self._backend()
        conversation = Conversation(call.source)
        earlier: Resend | None = None  # the round before, for a batch engine's answer
        try:
            # a batch engine's answer looks in the cache for earlier rounds: not in the loop
            replay = None
            if not isinstance(self._engine, Online):
                earlier = await asyncio.to_thread(self._cache.get_resend, call.key)
                conversation.told = earlier is not None and earlier.hinted
                replay = self._replay(call, earlier)
            replied = await backend.complete(call.messages, conversation, call.max_tokens, replay)
        except TruncationError as cut:
            if cut.at_limit or replay is not None:  # the same limit would cut the same reply
                return self._salvaged(cut, call.source)
            return await self._after_cut(call, conversation, cut)
        except SummarizationError as exc:
            return self._salvaged(exc, call.source)
        if isinstance(replied, Held):
            resend = self._resend
            raise await asyncio.to_thread(resend, call, replied, earlier, conversation.told)
        return self._counted(call, Answer.of(*replied))

    async def _after_cut(
        self, call: Call, conversation: Conversation, cut: TruncationError
    ) -> Answer:
        """A reply the server cut off before the ``max_tokens`` sent (its own limit, not
        ours): asked once more; cut again, what was complete before the cut is kept."""
        try:
            replied = await self._backend().complete(
                call.messages, conversation, call.max_tokens, None
            )
        except SummarizationError as exc:  # the cut reply's cost, and its points if none
            exc.usage, exc.attempts = (
                (exc.usage or Usage()) + (cut.usage or Usage()),
                (exc.attempts + cut.attempts),
            )
            exc.reply = exc.reply if exc.reply is not None else cut.reply
            return self._salvaged(exc, call.source)
        if isinstance(replied, Held):  # pragma: no cover - only a replay holds a request
            raise cut
        answer = Answer.of(*replied)
        paid = replace(
            answer,
            usage=answer.usage + (cut.usage or Usage()),
            attempts=answer.attempts + cut.attempts,
        )
        return self._counted(call, paid)

    def _replay(self, call: Call, earlier: Resend | None) -> Replay | None:
        """How ``call`` meets the network when a batch engine's answers are given: its
        answer served first; without one, sent online, or held when there is no endpoint.
        An answer to a resent re-ask (``earlier``: the round before) goes on with the
        re-asks left."""
        match self._engine:
            case Online():
                return None
            case Imported(replies):
                outcome = replies.get(call.custom_id)
            case ExportOnly():
                return HoldFirst(why="its requests are exported, never sent")
        sends = self._backend().sends
        if isinstance(outcome, Answered):
            if earlier is None or not earlier.answers:
                return ServeFirst(outcome, forward=sends)
            reasks = max(0, self.settings.max_retries - earlier.answers)
            return ServeFirst(outcome, forward=sends, reasks=reasks)
        if sends:
            return None  # errored or missing: asked online like any other call
        why = "no line for it" if outcome is None else f"the engine failed it: {outcome.reason}"
        return HoldFirst(why=f"the batch results have {why}")

    def _resend(self, call: Call, held: Held, earlier: Resend | None, hinted: bool) -> ResendError:
        """The error of a call that stopped at a held request, naming the line to resend;
        the request kept in the cache so that ``--export`` writes it (for a failed answer,
        the re-ask, which tells the model what was wrong), with the answers spent on it in
        this round and the ``earlier`` ones."""
        spent = (earlier.answers if earlier is not None else 0) + held.attempts
        self._cache.set_resend(call.key, Resend(body=held.body, answers=spent, hinted=hinted))
        return ResendError(
            f"{call.custom_id}: {held.why}; write the requests still to answer with "
            "'summarizer batch … --export FILE', or configure an endpoint to ask them online",
            body=held.body,
            attempts=held.attempts,
        )

    def _counted(self, call: Call, answer: Answer) -> Answer:
        """``answer``, its prompt tokens as the server counted them learned from (only a
        first-try answer: a re-ask's messages are longer than the call's). Not with a
        batch engine's answers: their parts must be cut as the exported requests were."""
        first = answer.attempts == 1 and not answer.usage.estimated
        if first and isinstance(self._engine, Online):
            self._scale.observe(call.tokens, answer.usage.prompt_tokens)
        return answer

    async def _tried(self, call: Call) -> Answer | SummarizerError:
        """One chunk's answer, from its own cache entry (in a worker thread) or the model;
        its failure as a value, so that it costs that chunk's points only."""
        cached = await asyncio.to_thread(self.cached_part, call)
        if cached is not None:
            return cached
        answer: Answer | SummarizerError
        try:
            answer = await self._answer_call(call)
        except SummarizerError as exc:
            answer = _part_failed(exc)
        if isinstance(answer, Answer):
            await asyncio.to_thread(self._store_part, call, answer)
        return answer

    def _store_part(self, call: Call, answer: Answer) -> None:
        """A chunk's draft under its own key: a rerun after a crash, or with one chunk
        changed, pays only for the chunks not yet answered."""
        self._cache.set(call.key, answer.draft, answer.meta(self.settings))

    def _merged(self, request: Request, tried: list[Answer | SummarizerError]) -> Answer:
        """The chunks' drafts as one; a chunk that failed is named in the warnings (all
        failed: the first failure is raised)."""
        answers = [a for a in tried if isinstance(a, Answer)]
        failed = [(n, e) for n, e in enumerate(tried, 1) if isinstance(e, SummarizerError)]
        resend = [e for _, e in failed if isinstance(e, ResendError)]
        if resend:  # a part to resend fails the report: the resent part completes it
            raise resend[0]
        if not answers:
            raise failed[0][1]
        paid = [e for _, e in failed if isinstance(e, SummarizationError)]  # others cost none
        usage = sum([a.usage for a in answers] + [e.usage for e in paid if e.usage], Usage())
        attempts = sum(a.attempts for a in answers) + sum(e.attempts for e in paid)
        warnings = tuple(
            f"part {n} of {len(tried)} of the report failed ({e.message}); its points are "
            "missing from this summary"
            for n, e in failed
        )
        draft = merge([a.draft for a in answers], request.source)
        dropped = [d for a in answers for d in a.dropped]
        return Answer(draft, usage, attempts, dropped, warnings)

    def _salvaged(self, exc: SummarizationError, source: GroundedSource) -> Answer:
        """The items and metrics of the model's last answer that ground, when its re-asks
        ran out; ``exc`` again when ``strict`` is set or nothing grounds."""
        if self.settings.strict or exc.reply is None:
            raise exc
        kept = salvage(exc.reply, source)
        if kept is None:
            offered = sum(len(v) for k in SECTIONS if isinstance(v := exc.reply.get(k), list))
            cut = isinstance(exc, TruncationError)  # said nothing complete: the cut's error
            if not offered and source.points and not cut:  # failed on something, said nothing
                raise EmptySummaryError.for_report(
                    source.points, exc.attempts, exc.usage or Usage()
                ) from exc
            raise exc
        draft, dropped = kept
        return Answer(draft, exc.usage or Usage(), exc.attempts, dropped)


def _part_failed(exc: SummarizerError) -> Answer | SummarizerError:
    """What a part's failure means for the report: raised again when the report is to be
    cut finer or a setting is wrong for every part alike; an empty answer (paid for) when
    the part holds no point even asked again (a preamble; the merged report is still
    refused when no part holds one); else the failure, which costs that part's points."""
    if isinstance(exc, (ContextLengthError, ConfigError)):
        raise exc
    if isinstance(exc, EmptySummaryError):
        return Answer(DraftSummary(), exc.usage or Usage(), exc.attempts, [])
    return exc
