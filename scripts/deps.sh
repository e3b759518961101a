#!/bin/sh
# Install the Debian packages the project needs, when any is missing.
# Does nothing when all are present; needs root (or sudo) otherwise.
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev libcurl4-openssl-dev libmbedtls-dev
libjansson-dev libhiredis-dev libmariadb-dev libqrencode-dev libpng-dev libxlsxwriter-dev libargon2-dev
mariadb-server mariadb-client redis-server redis-tools nginx-light openssl python3 python3-jsonschema python3-yaml wrk
chromium fonts-noto-cjk zbar-tools"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing >/dev/null
# The packaged services must not run on their own: the project starts its
# own instances in its own folders.
for s in mariadb redis-server nginx; do
    $SUDO systemctl disable --now "$s" >/dev/null 2>&1 || $SUDO service "$s" stop >/dev/null 2>&1 || true
done
