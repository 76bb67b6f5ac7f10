"""A crawler of the public site for tests: every page reachable from given addresses by its
links and sitemap entries, as a visitor without an account would read it.

``crawl(client, starts)`` returns {address: text}; a PDF's text is extracted, so that what a
certificate prints can be searched like a page.
"""

import io
import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

from pypdf import PdfReader

LINK = re.compile(rb'(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>')
# Not public pages: staff, static files, the language switch (a POST form).
SKIPPED_PREFIXES = ("/admin/", "/static/", "/i18n/")


def text_of(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        pages = PdfReader(io.BytesIO(content)).pages
        return "\n".join(page.extract_text() for page in pages).encode()
    return content


def crawl(client, starts, limit: int = 600) -> dict[str, bytes]:
    """Read every public address reachable from ``starts``; fails on an answer other than 200."""
    seen, queue, pages = set(starts), deque(starts), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        content = text_of(response)
        pages[url] = content
        if not response.get("Content-Type", "").startswith(("text/html", "application/xml", "text/xml")):
            continue
        for match in LINK.finditer(content):
            target = (match.group(1) or match.group(2)).decode().replace("&amp;", "&")
            address = urldefrag(urljoin("http://testserver" + url, target)).url
            parts = urlsplit(address)
            if parts.netloc not in ("testserver", urlsplit(_site_url()).netloc):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local.startswith(SKIPPED_PREFIXES) or local in seen:
                continue
            seen.add(local)
            queue.append(local)
    return pages


def _site_url() -> str:
    from django.conf import settings

    return settings.SITE_URL
