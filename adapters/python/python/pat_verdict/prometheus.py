"""A ``Verifier``'s or ``Validator``'s counters in ``prometheus_client``, for a validator that
already serves its metrics through it (``start_http_server``, a WSGI or ASGI app).

``prometheus_client`` is optional: ``pat_verdict`` depends on nothing, and this module only
imports it when :func:`register` is called (``pip install prometheus-client``). Without it,
:meth:`pat_verdict.Verifier.metrics_text` gives the same text to serve by hand::

    from prometheus_client import start_http_server
    from pat_verdict import Validator
    from pat_verdict.prometheus import register

    validator = Validator("miner_pats.json", hotkeys)
    register(validator)  # the pat_verdict_* families, read at every scrape
    start_http_server(9100)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional, Union, cast

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import Collector, CollectorRegistry

    from . import Validator, Verifier

__all__ = ["PatVerdictCollector", "register"]

_MISSING = (
    "pat_verdict.prometheus needs prometheus_client, which pat_verdict does not install: "
    "pip install prometheus-client"
)


def _type_name(value: object) -> str:
    return "None" if value is None else type(value).__name__


class PatVerdictCollector:
    """The counters of one ``Verifier`` or ``Validator`` as a ``prometheus_client`` collector,
    parsed from its Prometheus text at every scrape (so that text stays the one format to get
    right). Made and registered by :func:`register`; a plain class, so importing this module
    never needs ``prometheus_client``."""

    __slots__ = ("_source",)

    def __init__(self, source: Union[Verifier, Validator]) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        """The ``pat_verdict_*`` families as they are now."""
        from prometheus_client.parser import text_string_to_metric_families

        yield from text_string_to_metric_families(self._source.metrics_text())

    def __repr__(self) -> str:
        return f"<pat_verdict.prometheus collector of {self._source!r}>"


def register(
    obj: Union[Verifier, Validator], registry: Optional[CollectorRegistry] = None
) -> PatVerdictCollector:
    """Register a collector of ``obj``'s counters (a :class:`~pat_verdict.Verifier` or
    :class:`~pat_verdict.Validator`) with ``registry``; ``None`` means
    ``prometheus_client.REGISTRY``, the one ``start_http_server`` serves.

    Every scrape reads the counters anew: the ``pat_verdict_*`` families of
    ``obj.metrics_text()`` (verdicts by cause, GitHub requests by outcome, their latency
    histogram, the outage guard's gauge and openings, the handlers' answers). Returns the
    collector, so ``registry.unregister(collector)`` undoes it; a registry that holds the
    same family names already (another object's) raises prometheus_client's ``ValueError``,
    as its own collectors do. Raises ``ImportError`` saying what to install when
    ``prometheus_client`` is missing, ``TypeError`` when ``obj`` has no ``metrics_text``.
    """
    try:
        import prometheus_client
        import prometheus_client.parser  # what collect() needs: missing now, not at a scrape
    except ImportError as error:
        raise ImportError(_MISSING, name="prometheus_client") from error

    source: Any = obj
    if not callable(getattr(source, "metrics_text", None)):
        raise TypeError(
            f"argument 'obj' must be a pat_verdict Verifier or Validator, not {_type_name(obj)}"
        )
    collector = PatVerdictCollector(obj)
    # prometheus_client asks only for `collect()` (its Collector ABC is for type checkers).
    (prometheus_client.REGISTRY if registry is None else registry).register(
        cast("Collector", collector)
    )
    return collector
