#!/usr/bin/env bash
# Make sure what the test suites talk to is present: PostgreSQL on 127.0.0.1:5432 (trust auth
# for local connections), Java 17 for local Spark, and Debian's Chromium for browser tests.
# Installs from Debian's packages where something is missing; never downloads a browser build.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! pg_ready; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "installing PostgreSQL from Debian's packages"
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! grep -q "assay-tests" "$hba"; then
    # Tests connect as postgres over loopback without a password, as on the CI machines.
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust # assay-tests\nhost all all ::1/128 trust # assay-tests' "$hba"
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || $SUDO pg_ctlcluster "$version" main restart
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi
echo "postgres: ready on 127.0.0.1:5432"

if ! command -v java >/dev/null 2>&1; then
  echo "installing Java 17 for local Spark"
  apt_install openjdk-17-jre-headless
fi
echo "java: $(java -version 2>&1 | head -n 1)"

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium from Debian's packages"
  apt_install chromium
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
