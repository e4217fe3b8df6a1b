"""spaCy pipeline components of the quote service (importing this registers the factories)."""

from service.nlp.components import attribution, paragraphs, quotes  # noqa: F401
