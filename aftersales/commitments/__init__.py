"""Commitment import (issue #8): read a written after-sales commitment document into a draft
of the policies it implies. ORM-free: `parser.parse_commitments(text) -> Draft`."""
