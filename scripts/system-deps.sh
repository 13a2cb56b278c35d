#!/usr/bin/env bash
# Make sure the Debian packages the project needs are installed.
# As root they are installed with apt-get; otherwise we say exactly what to install.
set -euo pipefail

packages=(
    fonts-noto-cjk          # Song (Noto Serif CJK SC) and Hei (Noto Sans CJK SC) faces for the books
    fonts-arphic-ukai       # Kai (AR PL UKai CN) for quotations
    fontconfig              # fc-match: the book builder finds font files through it
    libharfbuzz-subset0     # fast CJK font subsetting in WeasyPrint
    libpango-1.0-0          # WeasyPrint's text layout
    libpangoft2-1.0-0
    poppler-utils           # pdffonts, pdftotext, pdftoppm used by the tests
    ghostscript             # the tests draw every page as a printer's RIP would
    libgs-common            # freely licensed CMYK ICC profiles for the print PDF
    default-jre-headless    # Java for EPUBCheck
    redis-server            # the task queue's tests against Redis (.ci/run starts one)
    chromium                # headless Chromium measures the pages at phone width in the tests
)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

# Java may come from a JDK installed some other way; accept any working java.
if command -v java >/dev/null 2>&1; then
    filtered=()
    for pkg in "${missing[@]}"; do
        [ "$pkg" = default-jre-headless ] || filtered+=("$pkg")
    done
    missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "This is not a Debian system: please install the equivalents of: ${missing[*]}" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
