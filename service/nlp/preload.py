"""Imported by the worker server (`service.parallel.start_server`): importing this module loads the
extraction pipeline (`get_extractor`), which the workers forked from the server then share.
Nothing else imports it."""

import gc

from service.memory import keep_freed_heap
from service.nlp.pipeline import get_extractor

keep_freed_heap()  # as in the command that started the server; the workers inherit it
get_extractor()

# The loaded model stays for the server's life: out of the garbage collector's sight, its objects'
# pages are not touched (copied) in the workers forked from here by collections that would scan it.
gc.freeze()
