"""The MLflow store a bundle is read from or registered in: pointed at for one block of calls, and named in
a manifest without credentials."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def tracking_store(uri: str | None) -> Iterator[str]:
    """Point MLflow at ``uri`` (default: MLFLOW_TRACKING_URI or sqlite:///mlflow.db) without choosing an
    experiment; MLflow's environment switches hold for the calls inside the block only. Yields the URI."""
    import mlflow

    from redac import tracking

    resolved = tracking.resolve_uri(uri)
    tracking.check_reachable(resolved)
    with tracking.mlflow_env(resolved):
        mlflow.set_tracking_uri(resolved)
        yield resolved


def safe_uri(uri: str) -> str:
    """A tracking URI for the manifest: no credentials."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    if parts.password or parts.username:
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=host))
    return uri
