"""Marshmallow schemas of the v1 API: query/body inputs (plain dicts) and explicit output shapes.

Outputs list every field explicitly (no auto schemas), so a new column never leaks into the API;
ids are ``dump_only``. The OpenAPI document is generated from these schemas by flask-smorest.
"""

from __future__ import annotations

import re
from typing import Any, cast

import marshmallow as ma
from marshmallow import fields, validate

from models.article import AUTHOR_CHARS
from service.api.pagination import CursorField, SearchCursorField
from service.store.articles import MAX_PUBLISHED, MIN_PUBLISHED
from service.text.loader import FORMATS, detect_format
from service.variants.passages import NAMED_NEAR_CHARS
from service.vocab import FoundIn, SpeakerCheck, SpeakerKind, Verdict, values

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
QUOTE_TYPES = ("direct", "indirect", "mixed")
RELATIONS = ("canonical", "verbatim", "trimmed", "punctuation", "paraphrase")
MAX_ARTICLE_CHARS = 1_000_000
MAX_EXTRACT_CHARS = 200_000
# HTML is limited on its own: a real page is 300-900 KB of markup around a few KB of text. The
# text extracted from it is held to the text limits above.
MAX_HTML_CHARS = 4_000_000
FORMAT_DESCRIPTION = (
    'Input format: "text" (used as given) or "html" (converted to the article text). '
    "Detected when left out (a page or fragment starting with HTML markup is HTML)."
)
MAX_VERIFY_CHARS = 5_000


class Text(fields.String):
    """A string of valid Unicode, normalised after validation by `InputSchema`: NULs removed
    (unless ``keep_nul``) and outer whitespace stripped (unless ``strip=False``).

    Validators see the value as sent, so they agree with the documented JSON Schema. NULs are
    legal in JSON and URLs but not in PostgreSQL text and carry no meaning here. Lone surrogates
    (``"\\ud800"`` in JSON) cannot be stored or encoded: rejected.
    """

    def __init__(self, *, strip: bool = True, keep_nul: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strip = strip
        self.keep_nul = keep_nul

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ma.ValidationError("Not valid Unicode (lone surrogate).") from exc
        return text

    def normalize(self, text: str) -> str:
        """The value the service uses."""
        if not self.keep_nul:
            text = text.replace("\x00", "")
        return text.strip() if self.strip else text


class StrictInteger(fields.Integer):
    """An integer as JSON Schema means it: no booleans, no fractions; digit strings only where the
    value comes from a query string (``from_string``), and then no "1_0" or " 5"."""

    _DIGITS = re.compile(r"-?[0-9]+")

    def __init__(self, *, from_string: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.from_string = from_string

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, str) and self.from_string:
            if not self._DIGITS.fullmatch(value):
                raise self.make_error("invalid")
            return int(value)
        if isinstance(value, float):
            if not value.is_integer():
                raise self.make_error("invalid")
            return int(value)
        if isinstance(value, int):
            return value
        raise self.make_error("invalid")


class FullRegexp(validate.Regexp):
    """`validate.Regexp` matching the whole value, as JSON Schema's ``pattern`` with ``^...$`` does
    (Python's ``$`` would also accept a trailing newline)."""

    def __call__(self, value: str) -> str:  # type: ignore[override]  # str patterns only
        if cast("re.Pattern[str]", self.regex).fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


class SearchRegexp(validate.Regexp):
    """`validate.Regexp` found anywhere in the value, as an unanchored JSON Schema ``pattern``."""

    def __call__(self, value: str) -> str:  # type: ignore[override]  # str patterns only
        if cast("re.Pattern[str]", self.regex).search(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


# Explicit character ranges: Python's and ECMAScript's \s and \S differ on control characters.
# Not blank: at least one character that is not invisible, i.e. not a control character, not a
# Unicode space (no-break, ideographic, en/em, line/paragraph separators) and not a zero-width
# or direction mark (U+200B-U+200F, U+202A-U+202E, U+2060-U+206F, U+FEFF, soft hyphen).
INVISIBLE = (
    r"\x00-\x20\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u1680\u180e\u2000-\u200f"
    r"\u2028-\u202f\u205f-\u206f\u3000\u3164\ufeff\uffa0"
)
NOT_BLANK = SearchRegexp(f"[^{INVISIBLE}]", error="Must not be blank.")
# One expression both validates and documents (as `pattern`) web addresses.
URL = FullRegexp(
    r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\x00-\x20]*)?$", error="Not a valid http(s) URL."
)


class InputSchema(ma.Schema):
    """Base of every input schema: `Text` values are normalised once they are valid."""

    @ma.post_load
    def _normalize(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        for name, value in data.items():
            field = self.fields.get(name)
            if isinstance(field, Text) and isinstance(value, str):
                data[name] = field.normalize(value)
        return data


class StrictSchema(InputSchema):
    """Input schema that rejects unknown fields (documented as ``additionalProperties: false``)."""

    class Meta:
        unknown = ma.RAISE


# ---------------------------------------------------------------- query arguments


class PageArgsSchema(InputSchema):
    """``limit`` and the opaque ``cursor`` of every list."""

    limit = StrictInteger(
        from_string=True,
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page (1-{MAX_LIMIT})."},
    )
    cursor: fields.String = CursorField()


class SpeakerQueryArgsSchema(PageArgsSchema):
    q = Text(
        validate=validate.Length(max=200),
        metadata={"description": "Part of the speaker's name or of one of their aliases."},
    )


class DateRangeArgsSchema(PageArgsSchema):
    q = Text(validate=validate.Length(max=500), metadata={"description": "Words that must all occur."})
    outlet = Text(validate=validate.Length(max=300), metadata={"description": "Part of the outlet name."})
    since = fields.Date(metadata={"description": "Published on or after this date."})
    until = fields.Date(metadata={"description": "Published on or before this date."})


class StatementQueryArgsSchema(DateRangeArgsSchema):
    pass


class QuoteQueryArgsSchema(DateRangeArgsSchema):
    q = Text(
        validate=validate.Length(max=500),
        metadata={
            "description": 'Full-text search: words (stemmed) and "quoted phrases", all required; '
            "results come best match first."
        },
    )
    cursor = SearchCursorField()
    speaker = Text(
        validate=validate.Length(max=300),
        metadata={"description": "Speaker id, or part of the speaker's name or alias."},
    )
    type = fields.String(validate=validate.OneOf(QUOTE_TYPES))


# ---------------------------------------------------------------- request bodies


def _format_field() -> fields.String:
    return fields.String(
        allow_none=True, validate=validate.OneOf(FORMATS), metadata={"description": FORMAT_DESCRIPTION}
    )


def _check_text_length(data: dict[str, Any], max_text: int) -> None:
    """Plain text over ``max_text`` characters is refused here; HTML (up to MAX_HTML_CHARS) is
    checked again after conversion, against the same text limit."""
    text = data.get("text")
    if not isinstance(text, str) or len(text) <= max_text:
        return
    fmt = data.get("format") or detect_format(text)
    if fmt != "html":
        raise ma.ValidationError(
            f"Longer than maximum length {max_text} (plain text; HTML may have up to {MAX_HTML_CHARS}).",
            "text",
        )


class ExtractArgsSchema(StrictSchema):
    text = Text(
        strip=False,
        keep_nul=True,
        required=True,
        validate=validate.Length(max=MAX_HTML_CHARS),
        metadata={
            "description": (
                f"Article text (up to {MAX_EXTRACT_CHARS} characters) or HTML page (up to "
                f"{MAX_HTML_CHARS}). Quote offsets index into the text, or into the returned "
                "`text` when the input was converted."
            )
        },
    )
    format = _format_field()

    @ma.validates_schema
    def _text_length(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_text_length(data, MAX_EXTRACT_CHARS)


class VerifyArgsSchema(StrictSchema):
    text = Text(
        required=True,
        validate=[validate.Length(min=1, max=MAX_VERIFY_CHARS), NOT_BLANK],
        metadata={"description": "The quote to check."},
    )
    speaker = Text(
        allow_none=True,
        validate=validate.Length(max=300),
        metadata={"description": "Who it is attributed to (name or alias); optional."},
    )
    limit = StrictInteger(load_default=5, validate=validate.Range(min=1, max=20))


class ArticleInSchema(StrictSchema):
    text = Text(
        strip=False,
        required=True,
        validate=[validate.Length(min=1, max=MAX_HTML_CHARS), NOT_BLANK],
        metadata={
            "description": (
                f"Article text (up to {MAX_ARTICLE_CHARS} characters) or HTML page (up to "
                f"{MAX_HTML_CHARS}); HTML is stored as its article text, with the page's "
                "headline, author, date, outlet and canonical URL filling fields left out."
            )
        },
    )
    format = _format_field()
    external_id = Text(validate=validate.Length(max=500), metadata={"description": "Caller's id."})
    title = Text(allow_none=True, validate=validate.Length(max=2000))
    author = Text(allow_none=True, validate=validate.Length(max=AUTHOR_CHARS))
    outlet = Text(allow_none=True, validate=validate.Length(max=300))
    outlet_url = Text(strip=False, keep_nul=True, allow_none=True, validate=[validate.Length(max=2000), URL])
    url = Text(
        strip=False,
        keep_nul=True,
        allow_none=True,
        validate=[validate.Length(max=2000), URL],
        metadata={"description": "The article's address; an article is stored once per URL."},
    )
    published_at = fields.Date(
        allow_none=True,
        validate=validate.Range(
            min=MIN_PUBLISHED,
            max=MAX_PUBLISHED,
            error=f"Must be a date from {MIN_PUBLISHED} to {MAX_PUBLISHED}.",
        ),
        # documents the range in the OpenAPI document (JSON Schema has no date bounds)
        metadata={
            "pattern": r"^(1[89]|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2}$",
            "description": f"Publication date, {MIN_PUBLISHED} to {MAX_PUBLISHED}.",
        },
    )

    @ma.validates_schema
    def _text_length(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_text_length(data, MAX_ARTICLE_CHARS)


# ---------------------------------------------------------------- outputs


class SpeakerRefSchema(ma.Schema):
    id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "None for an unnamed description, which is no tracked speaker."},
    )
    name = fields.String()
    kind = fields.String(
        allow_none=True,
        validate=validate.OneOf(values(SpeakerKind)),
        metadata={"description": "person, organization, or description (unnamed source on one quote)."},
    )


class SpeakerSchema(ma.Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    kind = fields.String(validate=validate.OneOf(values(SpeakerKind)))
    aliases = fields.List(fields.String())
    roles = fields.List(fields.String())
    statement_count = fields.Integer()
    quote_count = fields.Integer()


class ArticleRefSchema(ma.Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(allow_none=True)
    outlet = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    published_at = fields.Date(allow_none=True)


class ArticleSchema(ArticleRefSchema):
    external_id = fields.String()
    author = fields.String(allow_none=True)
    outlet_url = fields.String(allow_none=True)
    quote_count = fields.Integer()
    text = fields.String()


class VariantSchema(ma.Schema):
    quote_id = fields.Integer(allow_none=True)
    text = fields.String()
    type = fields.String(
        allow_none=True,
        metadata={
            "description": "Quote type; null for a passage of an article text (`found_in` article_text)."
        },
    )
    relation = fields.String(
        allow_none=True,
        metadata={"description": "How this wording relates to the statement: " + ", ".join(RELATIONS)},
    )
    similarity = fields.Float(allow_none=True)
    diff = fields.Raw(allow_none=True, metadata={"description": "Word diff against the statement."})
    article = fields.Nested(ArticleRefSchema)
    start = fields.Integer()
    end = fields.Integer()


class StatementSchema(ma.Schema):
    id = fields.Integer(dump_only=True)
    text = fields.String()
    speaker = fields.Nested(SpeakerRefSchema)
    first_seen = fields.Date(allow_none=True)
    last_seen = fields.Date(allow_none=True)
    variant_count = fields.Integer()
    variants = fields.List(fields.Nested(VariantSchema))


class StoredQuoteSchema(ma.Schema):
    id = fields.Integer(dump_only=True)
    text = fields.String()
    type = fields.String()
    start = fields.Integer()
    end = fields.Integer()
    cue = fields.String(allow_none=True)
    mention = fields.String(allow_none=True)
    speaker = fields.Nested(SpeakerRefSchema, allow_none=True)
    article = fields.Nested(ArticleRefSchema)
    statement_ids = fields.List(fields.Integer())


def _page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "next_cursor": fields.String(
                allow_none=True, metadata={"description": "Pass as `cursor` for the next page."}
            ),
        },
        name=name,
    )


SpeakerPageSchema = _page_schema(SpeakerSchema, "SpeakerPage")
StatementPageSchema = _page_schema(StatementSchema, "StatementPage")
QuotePageSchema = _page_schema(StoredQuoteSchema, "QuotePage")


class SpanSchema(ma.Schema):
    start = fields.Integer()
    end = fields.Integer()
    text = fields.String()


class PartSchema(ma.Schema):
    start = fields.Integer()
    end = fields.Integer()


class ExtractedSpeakerSchema(ma.Schema):
    name = fields.String(allow_none=True)
    mention = fields.Nested(SpanSchema, allow_none=True)
    kind = fields.String()
    aliases = fields.List(fields.String())
    roles = fields.List(fields.String())


class ExtractedQuoteSchema(ma.Schema):
    """One quote as the CLI prints it (`Quote.to_dict()`); offsets index into the given text."""

    start = fields.Integer()
    end = fields.Integer()
    text = fields.String()
    parts = fields.List(fields.Nested(PartSchema))
    type = fields.String()
    cue = fields.Nested(SpanSchema, allow_none=True)
    speaker = fields.Nested(ExtractedSpeakerSchema)
    via = fields.Nested(SpanSchema, allow_none=True)


class PageMetadataSchema(ma.Schema):
    title = fields.String(allow_none=True)
    author = fields.String(allow_none=True)
    published_at = fields.Date(allow_none=True)
    outlet = fields.String(allow_none=True, metadata={"description": "Site name."})
    url = fields.String(allow_none=True, metadata={"description": "Canonical URL."})


class ExtractResultSchema(ma.Schema):
    quotes = fields.List(fields.Nested(ExtractedQuoteSchema))
    text = fields.String(
        metadata={
            "description": "Present when the input was converted (HTML): the text quote offsets index into."
        }
    )
    metadata = fields.Nested(
        PageMetadataSchema, metadata={"description": "The page's metadata (HTML input)."}
    )


VERDICT_HELP = """How the whole claim relates to this statement (each guarantee holds for every part
of the claim; `parts` gives each part's own verdict):
- `verbatim`: every word is on record, in the same order; only case and punctuation may differ.
- `excerpt`: the claim is a contiguous stretch of a recorded wording (at least 4 words), word for word.
- `close`: the same statement with small wording differences: at least 80% of each part's words
  occur in order in a recorded wording, and every number (digits or words, percentages, money,
  units), negation, name and modal verb (will, may, could...) agrees. Parts of fewer than 4 words
  are close only when verbatim.
- `paraphrase`: the same meaning in other words, with no number, negation or modal verb that the
  recorded wording lacks. Not a quotation.
- `contradicts`: on record, but a number, negation, name or modal verb differs (see `conflicts`).
- `other_speaker`: the claim names a speaker, but these words are on record only under someone else
  (`attributed_to`; null when the article's speaker is not known; `recorded_verdict` says how
  closely).
- `not_found`: at least one part of the claim is not on record (a claim mixing recorded and
  unrecorded sentences is never verbatim, excerpt or close)."""


FOUND_IN_HELP = """Where the claim's words were found:
- `quote`: in a recorded quote (a statement of a speaker, or a quote whose speaker is not known).
- `article_text`: not among the recorded quotes word for word, but word for word (case and
  punctuation aside, as one contiguous run) in a stored article's text: a headline, or a quote the
  service did not extract or split differently. The passage is in that article, but the service has
  not attributed it to anyone: `statement`, `speaker` and `attributed_to` are null (but see
  `speaker_check`), and `best_variant` gives the article and the passage's offsets in its text. The
  verdict is `excerpt` (never `close`: a changed number, negation or any other word is not found
  here)."""

SPEAKER_CHECK_HELP = f"""For `found_in` `article_text` when the claim names a speaker (else null): what
ties the passage to that speaker.
- `quoted`: a recorded quote of the speaker overlaps the passage; the verdict stands.
- `named_nearby`: the speaker's name, surname or an alias is in the article within
  {NAMED_NEAR_CHARS} characters of the passage (and no quote of someone else overlaps it); the
  verdict stands, but the attribution is the article's proximity, not the service's.
- `quoted_other`: a recorded quote of someone else overlaps the passage: `other_speaker`, with
  `attributed_to` that speaker.
- `not_named`: nothing ties the passage to the speaker: `other_speaker`, `attributed_to` null,
  `recorded_verdict` `excerpt`."""


class ConflictSchema(ma.Schema):
    kind = fields.String(
        validate=validate.OneOf(("number", "negation", "name", "modality")),
        metadata={"description": "Which check fails: number, negation, name or modality."},
    )
    query = fields.String(metadata={"description": "The claim's wording (the part that differs)."})
    recorded = fields.String(allow_none=True, metadata={"description": "The recorded wording."})


class ClaimPartSchema(ma.Schema):
    start = fields.Integer(metadata={"description": "Offset of the part in the claim's text."})
    end = fields.Integer()
    text = fields.String()


class PartAlignmentSchema(ClaimPartSchema):
    verdict = fields.String(
        validate=validate.OneOf(values(Verdict)),
        metadata={"description": "This part's own verdict against its nearest recorded wording."},
    )
    score = fields.Float(
        metadata={"description": "Share of the part's words matched, or meaning similarity."}
    )
    conflicts = fields.List(fields.String(), metadata={"description": "Failed checks when `contradicts`."})
    statement_id = fields.Integer(
        allow_none=True, metadata={"description": "The statement holding the nearest recorded wording."}
    )
    variant = fields.Nested(
        VariantSchema,
        allow_none=True,
        metadata={
            "description": "Where the nearest recorded wording is: article, outlet, date, URL, offsets."
        },
    )
    diff = fields.Raw(
        allow_none=True,
        metadata={
            "description": 'Word diff from the recorded wording to the part: [["=", "same"], ["-", "recorded '
            'only"], ["+", "claim only"], ...].'
        },
    )


class MatchSchema(ma.Schema):
    statement = fields.Nested(
        StatementSchema,
        allow_none=True,
        metadata={"description": "The statement; null when the recorded wording has no known speaker."},
    )
    speaker = fields.Nested(SpeakerRefSchema, allow_none=True)
    score = fields.Float(metadata={"description": "Similarity of the whole claim in [0, 1]."})
    verdict = fields.String(validate=validate.OneOf(values(Verdict)), metadata={"description": VERDICT_HELP})
    recorded_verdict = fields.String(
        allow_none=True,
        validate=validate.OneOf(values(Verdict)),
        metadata={"description": "For `other_speaker`: the verdict under the speaker it is recorded for."},
    )
    attributed_to = fields.Nested(
        SpeakerRefSchema,
        allow_none=True,
        metadata={
            "description": "For `other_speaker`: who is on record with these words (null: the "
            "article gives no speaker the service could resolve)."
        },
    )
    found_in = fields.String(
        validate=validate.OneOf(values(FoundIn)),
        metadata={"description": FOUND_IN_HELP},
    )
    speaker_check = fields.String(
        allow_none=True,
        validate=validate.OneOf(values(SpeakerCheck)),
        metadata={"description": SPEAKER_CHECK_HELP},
    )
    conflicts = fields.List(
        fields.Nested(ConflictSchema),
        metadata={"description": "For `contradicts`: what differs, both wordings."},
    )
    best_variant = fields.Nested(
        VariantSchema,
        metadata={
            "description": "The statement's nearest wording; for `found_in` `article_text`, the passage "
            "of the article's text (no `quote_id`, `type` or `relation`)."
        },
    )
    sources = fields.List(fields.Nested(ArticleRefSchema))
    parts = fields.List(
        fields.Nested(PartAlignmentSchema),
        metadata={"description": "Each part of the claim against its nearest recorded wording."},
    )


class VerifyResultSchema(ma.Schema):
    verdict = fields.String(
        validate=validate.OneOf(values(Verdict)),
        metadata={"description": "The best match's verdict, or `not_found` when nothing matches."},
    )
    speakers = fields.List(
        fields.Nested(SpeakerRefSchema),
        metadata={"description": "The stored speakers the given `speaker` was resolved to."},
    )
    parts = fields.List(
        fields.Nested(ClaimPartSchema), metadata={"description": "The claim's parts (its sentences)."}
    )
    matches = fields.List(fields.Nested(MatchSchema))


class HealthSchema(ma.Schema):
    status = fields.String()
    database = fields.String()


# ---------------------------------------------------------------- background jobs

JOB_STATUSES = ("queued", "started", "finished", "failed", "deferred", "scheduled", "stopped", "canceled")


class ArticleAsyncArgsSchema(InputSchema):
    async_ = fields.Boolean(
        data_key="async",
        load_default=False,
        metadata={
            "description": "Queue the article for a worker and answer 202 with a job "
            "(the same as the header `Prefer: respond-async`)."
        },
    )


class JobResultSchema(ma.Schema):
    article_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "added, or duplicate (already stored)."})
    external_id = fields.String()
    quotes = fields.Integer()
    reason = fields.String(allow_none=True)


class JobSchema(ma.Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "One of: " + ", ".join(JOB_STATUSES)})
    url = fields.String(metadata={"description": "This job's address."})
    article_id = fields.Integer(allow_none=True, metadata={"description": "Set once the job has finished."})
    article_url = fields.String(allow_none=True)
    result = fields.Nested(JobResultSchema, allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "Why the job failed (last attempt)."})
    retries_left = fields.Integer(allow_none=True)
    enqueued_at = fields.DateTime(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
