"""The few exceptions the library raises; the CLI turns each into one line and an exit code."""

__all__ = ["KgError", "InputError", "OutputError", "QueryError", "DataError"]


class KgError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = 2


class InputError(KgError):
    """A report or graph file that is missing, empty, binary or undecodable."""


class OutputError(KgError):
    """An output location that cannot be written."""


class QueryError(KgError):
    """A malformed SPARQL query or parameter."""


class DataError(KgError):
    """A data file of the package (lexicon, pattern, scheme, rule) that does not parse or is wrong.

    Its message names the file, the line and what is wrong; it is never blamed on a report.
    """
