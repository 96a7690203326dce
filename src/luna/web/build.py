"""The built web app: Vite's output directory, its ``index.html`` and its hashed assets.

``npm run build`` in ``web/`` writes ``index.html`` and ``assets/`` into
``luna/web/static/app/`` (see docs/web.md). A Python-only install has no such directory;
:attr:`WebAppBuild.is_built` says so and the routes answer with a page saying how to build
it. Tests point an application at another directory with :func:`use_build_directory`.
"""

from __future__ import annotations

import mimetypes
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.datastructures import State

DEFAULT_BUILD_DIRECTORY: Final = Path(__file__).parent / "static" / "app"
INDEX_FILE: Final = "index.html"
ASSETS_DIRECTORY: Final = "assets"
STATE_KEY: Final = "web_app_build"

# Precompressed copies written by the build (web/scripts/compress-assets.mjs), best first.
ENCODINGS: Final = (("br", ".br"), ("gzip", ".gz"))
COMPRESSED_SUFFIXES: Final = frozenset(suffix for _, suffix in ENCODINGS)
# The build names its assets by content hash; no asset path comes near this.
MAX_ASSET_PATH: Final = 255

# Every opening <script> tag that has no nonce yet: the nonce goes right after "<script".
_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)", re.IGNORECASE)
_NONCE_VALUE = re.compile(r"^[A-Za-z0-9_\-+/=]+$")
# No file the build writes has a control character or a surrogate in its name; such a
# path (``x%00.js``) would make the file system calls below raise, not find nothing.
_UNSERVABLE_NAME = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class _IndexTemplate:
    """``index.html`` split around its script tags, and the file version it was read from."""

    modified_ns: int
    size: int
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Asset:
    """A file to send for an asset request: maybe a compressed copy of the asset."""

    path: Path
    media_type: str
    encoding: str | None


def accepted_encodings(accept_encoding: str) -> frozenset[str]:
    """The content codings an ``Accept-Encoding`` header accepts (those with ``q`` above 0)."""
    accepted = set()
    for item in accept_encoding.split(","):
        name, _, parameters = item.partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key.lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name.strip() and quality > 0:
            accepted.add(name.strip().lower())
    return frozenset(accepted)


class WebAppBuild:
    """One build directory of the web app.

    ``index.html`` is read once and kept in memory, split where each ``<script`` tag
    starts, so that stamping a request's CSP nonce is a join rather than a parse. A
    rebuild (the file's modification time or size changes) is picked up on the next
    request.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._index: _IndexTemplate | None = None
        self._lock = threading.Lock()

    @property
    def index_path(self) -> Path:
        return self.directory / INDEX_FILE

    @property
    def is_built(self) -> bool:
        """Whether the directory holds a built web app."""
        return self.index_path.is_file()

    def index_html(self, nonce: str) -> str:
        """``index.html`` with ``nonce="<nonce>"`` on every ``<script>`` tag.

        Raises :class:`FileNotFoundError` when the app is not built.
        """
        if not _NONCE_VALUE.match(nonce):
            raise ValueError("a CSP nonce is base64 or base64url text")
        return f'<script nonce="{nonce}"'.join(self._index_template().parts)

    def asset(self, relative_path: str, accept_encoding: str = "") -> Asset | None:
        """The file to send for ``assets/<relative_path>``, or None when there is none.

        A Brotli or gzip copy made by the build is chosen when ``accept_encoding`` allows
        it. Paths that climb out of the assets directory (``..``, absolute paths, symbolic
        links pointing elsewhere), paths with control characters and the compressed copies
        themselves find nothing.
        """
        if _UNSERVABLE_NAME.search(relative_path) or len(relative_path) > MAX_ASSET_PATH:
            return None
        root = (self.directory / ASSETS_DIRECTORY).resolve()
        try:
            candidate = (root / relative_path).resolve()
            if (
                not candidate.is_relative_to(root)
                or candidate.suffix in COMPRESSED_SUFFIXES
                or not candidate.is_file()
            ):
                return None
        except OSError:  # a name the file system refuses (too long, say) names no asset
            return None
        media_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        accepted = accepted_encodings(accept_encoding)
        for encoding, suffix in ENCODINGS:
            compressed = candidate.with_name(candidate.name + suffix)
            if encoding in accepted and compressed.is_file():
                return Asset(path=compressed, media_type=media_type, encoding=encoding)
        return Asset(path=candidate, media_type=media_type, encoding=None)

    def _index_template(self) -> _IndexTemplate:
        status = self.index_path.stat()
        cached = self._index
        if cached and (cached.modified_ns, cached.size) == (status.st_mtime_ns, status.st_size):
            return cached
        with self._lock:
            text = self.index_path.read_text(encoding="utf-8")
            template = _IndexTemplate(
                modified_ns=status.st_mtime_ns,
                size=status.st_size,
                parts=tuple(_SCRIPT_TAG.split(text)),
            )
            self._index = template
        return template


def web_app_build(state: State) -> WebAppBuild:
    """The build an application serves: the packaged directory unless set otherwise."""
    build = getattr(state, STATE_KEY, None)
    if not isinstance(build, WebAppBuild):
        build = WebAppBuild(DEFAULT_BUILD_DIRECTORY)
        setattr(state, STATE_KEY, build)
    return build


def use_build_directory(state: State, directory: Path) -> WebAppBuild:
    """Serve the web app from ``directory`` (an application's ``app.state``)."""
    build = WebAppBuild(directory)
    setattr(state, STATE_KEY, build)
    return build
