#!/bin/sh
# What the tests need from the operating system, installed with Debian's apt-get when missing:
# Chromium for the browser tests (Playwright drives /usr/bin/chromium, never its own download)
# and the Pango libraries WeasyPrint renders PDF letters with (and HarfBuzz's subsetter, with
# which it embeds only the letters' glyphs: 7 times faster than its fontTools fallback, and each
# PDF 4 KB smaller). Run by `make test`, so the
# README's two commands are the whole set-up; `make install` runs it as `system-packages.sh pango`
# (the app prints letters with it; only the tests need Chromium). When the user may not install
# (neither root nor passwordless sudo), it stops and prints the one command to run.
set -eu
PATH="$PATH:/sbin:/usr/sbin"  # ldconfig, for a user whose PATH lacks them

needs="${*:-chromium pango}"
CHROMIUM="${IPFLOW_CHROMIUM:-/usr/bin/chromium}"
missing=""
case " $needs " in *" chromium "*) [ -x "$CHROMIUM" ] || missing="chromium" ;; esac
case " $needs " in *" pango "*)
    # shared library (as ldconfig lists it) and the Debian package that carries it
    for pair in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 \
            libharfbuzz-subset.so.0:libharfbuzz-subset0; do
        ldconfig -p 2>/dev/null | grep -q "${pair%%:*}" || missing="$missing ${pair#*:}"
    done ;;
esac
missing="${missing# }"
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "The tests need Chromium at $CHROMIUM and the Pango libraries (Debian: $missing);" \
         "install them with this system's package manager." >&2
    exit 1
elif [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo"
else
    echo "The tests need these Debian packages: $missing" >&2
    echo "Install them once with:  sudo apt-get install -y $missing" >&2
    exit 1
fi
echo "Installing the Debian packages the tests need: $missing"
$as_root apt-get update -qq
# shellcheck disable=SC2086  # the package names are meant to split
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
