# One image for all of Pratikriya's own services (intake, qr, analytics and its consumer,
# notifier and its worker, the operations service) and for the one-shot setup (deploy/docker/setup.py: topics,
# migrations, seed, analysts' views, admin token, stations topic). docker-compose.yml picks
# the command.
# See deploy/docker/README.md.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN groupadd --system --gid 10001 pratikriya \
    && useradd --system --uid 10001 --gid pratikriya --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin pratikriya

# Devanagari fonts for the QR service's printable posters (services/qr/config.py looks in
# /usr/share/fonts/truetype/noto); the one image serves every service.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

# The dependencies first, from uv.lock with its hashes (the same lock ./pratikriya installs
# from), runtime only: no test or dev tool in the image. uv comes from its own locked hashes
# (ops/bootstrap.py) and leaves once it has installed the rest. This layer is rebuilt only
# when pyproject.toml or uv.lock changes, not on every code change.
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY ops/bootstrap.py ./bootstrap.py
RUN python bootstrap.py uv.lock > uv-requirements.txt \
    && pip install --no-cache-dir --require-hashes --only-binary :all: -r uv-requirements.txt \
    && UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never uv sync --locked --no-dev \
        --no-install-project --no-cache --python /usr/local/bin/python \
    && pip uninstall --yes uv \
    && cd / && rm -rf /src
ENV PATH=/opt/venv/bin:$PATH

# Then our own code, run from /app as ./pratikriya runs it from the checkout (its SQL, seed
# JSON, templates and CSS beside it).
WORKDIR /app
COPY shared ./shared
COPY services ./services
COPY ops ./ops
ENV PYTHONPATH=/app

COPY deploy/docker/entrypoint.sh /usr/local/bin/pratikriya-entrypoint
RUN chmod 0755 /usr/local/bin/pratikriya-entrypoint

# The one-shot setup of docker-compose.yml (python /opt/pratikriya/setup.py).
COPY deploy/docker/setup.py /opt/pratikriya/setup.py

# The notifier's rules. Its default path is next to the source tree (deploy/notifier.toml),
# which the image's /app does not have, so NOTIFIER_CONFIG points here; docker-compose.yml
# mounts the repository's deploy/notifier.toml over this copy.
COPY deploy/notifier.toml /etc/pratikriya/notifier.toml
ENV NOTIFIER_CONFIG=/etc/pratikriya/notifier.toml

USER pratikriya:pratikriya

# intake, qr, analytics, notifier, ops
EXPOSE 8001 8002 8003 8004 8005

ENTRYPOINT ["pratikriya-entrypoint"]
# Intake by default, as ops/services.py runs it (docker-compose.yml says the same explicitly).
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
CMD ["python", "-m", "gunicorn", "services.intake.entrypoints.http:wsgi()", \
     "--bind", "0.0.0.0:8001", "--workers", "2", "--worker-class", "gthread", "--threads", "8", \
     "--timeout", "30", "--graceful-timeout", "20", "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", "--access-logfile", "-"]
