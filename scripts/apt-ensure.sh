#!/bin/sh
# Install the Debian packages given as arguments if any is missing.
# As root (CI, containers) this runs apt-get; otherwise it says exactly what to run.
missing=""
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages:$missing"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "missing system packages:$missing" >&2
  echo "install them with: sudo apt-get install$missing" >&2
  exit 1
fi
