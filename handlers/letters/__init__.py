"""Letters to the citizen (or the guardians), to Statsforvalteren, and their copies.

The procedure requires the municipality to answer in writing, to give reasons when it refuses,
and to tell the citizen how to appeal (pbrl. §§ 7-2 and 7-5). The handlers render the letters
from ``handlers/templates/letters/`` (HTML, printed to PDF/A) and archive each letter once with
all its recipients; the engine delivers a copy to each through the outbox in the same
transaction as the case state. One module per concern:
``common`` (recipients, legal basis, appeal period), ``assessment`` (decision, refusal,
interim reply), ``appeal`` and ``course`` (summons, change of coordinator, closing).
"""

from handlers.letters import appeal, assessment, course  # noqa: F401  (registrations)
