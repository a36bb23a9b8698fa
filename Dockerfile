# One image for all of Pratikriya's own services (intake, qr, analytics and its consumer,
# notifier and its worker) and for the one-shot setup (deploy/docker/setup.py: topics,
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

WORKDIR /src

# The dependencies first, pinned in pyproject.toml and only there (no dev extras): this layer
# is rebuilt only when pyproject.toml changes, not on every code change. The package folders
# are empty here, so this installs the dependencies and an empty "pratikriya".
COPY pyproject.toml ./
RUN mkdir shared services ops \
    && pip install --no-cache-dir . \
    && pip uninstall --yes pratikriya \
    && rm -rf shared services ops build ./*.egg-info

# Then our own code, installed into site-packages with its SQL, seed JSON, templates and CSS
# (pyproject's package-data). The services run from /app, so they import the installed copy.
COPY shared ./shared
COPY services ./services
COPY ops ./ops
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build ./*.egg-info

COPY deploy/docker/entrypoint.sh /usr/local/bin/pratikriya-entrypoint
RUN chmod 0755 /usr/local/bin/pratikriya-entrypoint

# The one-shot setup of docker-compose.yml (python /opt/pratikriya/setup.py).
COPY deploy/docker/setup.py /opt/pratikriya/setup.py

# The notifier's rules. Its default path is next to the source tree (deploy/notifier.toml),
# which the installed copy does not have, so NOTIFIER_CONFIG points here; docker-compose.yml
# mounts the repository's deploy/notifier.toml over this copy.
COPY deploy/notifier.toml /etc/pratikriya/notifier.toml
ENV NOTIFIER_CONFIG=/etc/pratikriya/notifier.toml

WORKDIR /app
USER pratikriya:pratikriya

# intake, qr, analytics, notifier
EXPOSE 8001 8002 8003 8004

ENTRYPOINT ["pratikriya-entrypoint"]
# Intake by default, as ops/services.py runs it (docker-compose.yml says the same explicitly).
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
CMD ["python", "-m", "gunicorn", "services.intake.entrypoints.http:wsgi()", \
     "--bind", "0.0.0.0:8001", "--workers", "2", "--worker-class", "gthread", "--threads", "8", \
     "--timeout", "30", "--graceful-timeout", "20", "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", "--access-logfile", "-"]
