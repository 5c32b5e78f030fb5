# Services the tests need, sourced by .ci/run (so the exports reach pytest):
#   - a throw-away PostgreSQL server on 127.0.0.1 -> SUPPORTBOT_TEST_POSTGRES_URL
#   - Debian's chromium for the desk's browser test -> SUPPORTBOT_TEST_CHROMIUM
# Both come from Debian's packages (installed quietly when missing). Under CI=true the
# Postgres and browser tests fail, rather than skip, when these are missing.
# shellcheck shell=bash

_apt_updated=""
_apt_install() {
    if [ -z "$_apt_updated" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        _apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- PostgreSQL -------------------------------------------------------------------------------
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    echo "installing postgresql (Debian)"
    _apt_install postgresql
fi
_pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
_pg_dir="$(mktemp -d /tmp/supportbot-pg.XXXXXX)"
_pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
_pg_password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
chown postgres:postgres "$_pg_dir"
chmod 700 "$_pg_dir"
printf '%s\n' "$_pg_password" > "$_pg_dir/pwfile"
chown postgres:postgres "$_pg_dir/pwfile"
runuser -u postgres -- "$_pg_bin/initdb" -D "$_pg_dir/data" -U postgres -E UTF8 \
    --auth-local=trust --auth-host=scram-sha-256 --pwfile="$_pg_dir/pwfile" >/dev/null
rm -f "$_pg_dir/pwfile"
runuser -u postgres -- "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $_pg_port -k $_pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
runuser -u postgres -- "$_pg_bin/createdb" -h "$_pg_dir" -p "$_pg_port" supportbot_test
export SUPPORTBOT_TEST_POSTGRES_URL="postgresql+psycopg://postgres:${_pg_password}@127.0.0.1:${_pg_port}/supportbot_test"
echo "postgresql $("$_pg_bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:${_pg_port}"
_supportbot_stop_pg() {
    runuser -u postgres -- "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$_pg_dir"
}
trap _supportbot_stop_pg EXIT

# --- Chromium (the desk's browser test; Playwright drives it, no browser download) -----------
if [ ! -x /usr/bin/chromium ]; then
    echo "installing chromium (Debian)"
    _apt_install chromium
fi
if [ ! -d /usr/share/fonts/truetype/wqy ]; then  # Chinese labels in the screenshots
    _apt_install fonts-wqy-microhei
fi
export SUPPORTBOT_TEST_CHROMIUM=/usr/bin/chromium
echo "$(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
