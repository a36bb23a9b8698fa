#!/bin/sh
# PostgreSQL's init script (mounted into /docker-entrypoint-initdb.d by docker-compose.yml):
# the postgres image runs it once, on the first start of an empty data volume, as the
# superuser `postgres`. It makes what ops/stack/postgres.py and ops/cli.py make for ./pratikriya up:
#
#   pratikriya          the application's login role: NOT a superuser, cannot create roles or
#                       databases; owner of the database `pratikriya`, so the migrations
#                       (run by the setup container as this role) own every table and view.
#   pratikriya_analyst  the analysts' read-only login (docs/analysts.md): every session
#                       read-only; the views of the `analyst` schema are granted by the
#                       migrations and by the setup container, as their owner.
#
# Passwords come from the container's environment (PRATIKRIYA_DB_PASSWORD, ANALYST_PASSWORD,
# from .env) and are passed to psql as variables on stdin, quoted by psql, never in argv.
# Idempotent: to apply changed passwords from .env to an existing volume, run it again:
#
#   docker compose up -d postgres
#   docker compose exec postgres /docker-entrypoint-initdb.d/10-pratikriya-roles.sh
set -eu

: "${PRATIKRIYA_DB_PASSWORD:?PRATIKRIYA_DB_PASSWORD is not set}"
: "${ANALYST_PASSWORD:?ANALYST_PASSWORD is not set}"

export PGUSER="${POSTGRES_USER:-postgres}"

psql -X -q -v ON_ERROR_STOP=1 --dbname postgres \
    -v app_password="$PRATIKRIYA_DB_PASSWORD" \
    -v analyst_password="$ANALYST_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE pratikriya'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pratikriya') \gexec
ALTER ROLE pratikriya WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  NOBYPASSRLS PASSWORD :'app_password';

SELECT 'CREATE DATABASE pratikriya OWNER pratikriya'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'pratikriya') \gexec
ALTER DATABASE pratikriya OWNER TO pratikriya;

SELECT 'CREATE ROLE pratikriya_analyst'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pratikriya_analyst') \gexec
ALTER ROLE pratikriya_analyst WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
  NOREPLICATION NOBYPASSRLS PASSWORD :'analyst_password';
ALTER ROLE pratikriya_analyst SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE pratikriya TO pratikriya_analyst;
SQL

# The views, when the migrations already ran (the script run again on a used volume).
psql -X -q -v ON_ERROR_STOP=1 --dbname pratikriya <<'SQL'
SELECT 'GRANT USAGE ON SCHEMA analyst TO pratikriya_analyst'
 WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'analyst') \gexec
SELECT 'GRANT SELECT ON ALL TABLES IN SCHEMA analyst TO pratikriya_analyst'
 WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'analyst') \gexec
SQL

echo "pratikriya-roles: roles pratikriya (not superuser) and pratikriya_analyst ready"
