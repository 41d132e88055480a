#!/usr/bin/env bash
# The primary's replication set-up, mounted by docker-compose.yml into /docker-entrypoint-initdb.d.
# The postgres image runs it once, when it initialises an empty data directory (not on later starts,
# so a volume made before this script existed has no replication role: see docs/operations.md),
# with a temporary server listening on its Unix socket only. It creates the role a streaming replica
# connects as and lets that role make replication connections over the network; the server's
# wal_level and max_wal_senders come from the service's command.
# Works whether the image executes it (mode 755, as committed) or sources it (no exec bit).
set -eo pipefail

: "${REPLICATION_USER:=replicator}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD, the password of the replication role}"

PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set user="$REPLICATION_USER" --set password="$REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I WITH LOGIN REPLICATION PASSWORD %L', :'user', :'password') \gexec
SQL

# "all" in the database column does not cover replication connections: they need their own line.
printf 'host replication %s all scram-sha-256\n' "$REPLICATION_USER" >> "$PGDATA/pg_hba.conf"
echo "primary-init: role $REPLICATION_USER may stream WAL to replicas"
