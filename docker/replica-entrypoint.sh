#!/usr/bin/env bash
# The entrypoint of docker-compose.yml's `replica` service (profile "replica"): a PostgreSQL 15 hot
# standby streaming from the primary. Arguments are passed to `postgres` (e.g. -c name=value).
#
# First start ($PGDATA holds no cluster): wait for the primary, copy it with
#   pg_basebackup -R -X stream
# (-R writes standby.signal and primary_conninfo, -X stream copies the WAL written meanwhile) into
# $PGDATA.partial, and rename that to $PGDATA only once the copy is complete, so a start interrupted
# half-way copies again instead of running on a partial copy. Later starts reuse the copy and resume
# streaming where they stopped. To copy afresh, remove the service's volume.
#
# Runs as root in the postgres image (makes $PGDATA's parent the postgres user's and steps down with
# gosu, as the image's own entrypoint does) or directly as the user that owns the data.
set -euo pipefail

: "${PGDATA:=/var/lib/postgresql/data/pgdata}"
: "${PRIMARY_HOST:=postgres}"
: "${PRIMARY_PORT:=5432}"
: "${REPLICATION_USER:=replicator}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD, the password of the primary replication role}"
export PGDATA

log() { echo "replica-entrypoint: $*" >&2; }

if [ "$(id -u)" = 0 ]; then
  parent=$(dirname "$PGDATA")
  mkdir -p "$parent"
  chown postgres:postgres "$parent"
  exec gosu postgres bash "${BASH_SOURCE[0]}" "$@"
fi

# Like the image's entrypoint, accept a command that starts with "postgres".
if [ "${1:-}" = postgres ]; then shift; fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  partial="$PGDATA.partial"
  if [ -d "$PGDATA" ] && [ -n "$(ls -A "$PGDATA")" ]; then
    log "$PGDATA is not empty but holds no cluster (no PG_VERSION): refusing to overwrite it"
    exit 1
  fi
  log "no cluster in $PGDATA: copying the primary at $PRIMARY_HOST:$PRIMARY_PORT"
  until pg_isready --quiet --host="$PRIMARY_HOST" --port="$PRIMARY_PORT"; do
    log "waiting for $PRIMARY_HOST:$PRIMARY_PORT to accept connections"
    sleep 1
  done
  rm -rf "$partial"
  PGPASSWORD=$REPLICATION_PASSWORD pg_basebackup \
    --host="$PRIMARY_HOST" --port="$PRIMARY_PORT" --username="$REPLICATION_USER" --no-password \
    --pgdata="$partial" --write-recovery-conf --wal-method=stream --checkpoint=fast
  if [ -d "$PGDATA" ]; then rmdir "$PGDATA"; fi   # empty (checked above)
  mv "$partial" "$PGDATA"
  log "copy complete; starting as a hot standby"
fi

exec postgres "$@"
