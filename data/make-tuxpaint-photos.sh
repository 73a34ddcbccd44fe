#!/usr/bin/env bash
# Rebuilds data/tuxpaint-photos/ from Debian's tuxpaint-stamps-default package (photos of animals, flowers and fruit
# cut out on a transparent background, GPL-2). Needs apt-get (Debian's package client), dpkg and ImageMagick's convert.
# Usage: bash data/make-tuxpaint-photos.sh   (from the project root; overwrites data/tuxpaint-photos/)
set -euo pipefail

VERSION=2022.06.04-1
OUT="$(cd "$(dirname "$0")" && pwd)/tuxpaint-photos"
WORK="$(mktemp -d)"
SOURCES="$OUT.sources.tsv"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
apt-get download "tuxpaint-stamps-default=$VERSION" >/dev/null
dpkg -x tuxpaint-stamps-default_*.deb x
STAMPS="$WORK/x/usr/share/tuxpaint/stamps"

photos() { # the photos of a stamp folder, without cartoons and the listed exceptions
  local dir="$1"; shift
  find "$STAMPS/$dir" -name '*.png' -not -path '*cartoon*' | sort | grep -v -F "${@/#/-e}" || true
}

rm -rf "$OUT"
mkdir -p "$OUT"
convert_class() { # class, then list of files on stdin
  local class="$1"
  mkdir -p "$OUT/$class"
  while read -r png; do
    local name; name="$(basename "$png" .png | tr 'A-Z' 'a-z')"
    # white background where the stamp is transparent, longest side at most 192 px, no metadata
    convert "$png" -background white -alpha remove -alpha off -resize '192x192>' -strip -quality 88 \
      "$OUT/$class/$name.jpg"
    echo "$class/$name.jpg	${png#"$STAMPS/"}" >> "$SOURCES"
  done
}

printf 'file\toriginal (under /usr/share/tuxpaint/stamps/ in tuxpaint-stamps-default %s)\n' "$VERSION" > "$SOURCES"
photos animals/birds -xx-none-xx | convert_class birds
photos plants/flowers /plastic/ | convert_class flowers
photos food/fruit -xx-none-xx | convert_class fruit
# 35 of the 62 mammal photos, evenly spaced in name order (not the teddy bear, the drawn hedgehog, the echidna silhouette)
photos animals/mammals /toys/ /hedgehog.png /echidna.png | awk '{ a[NR] = $0 } END { for (i = 0; i < 35; i++) print a[int(i * NR / 35) + 1] }' \
  | convert_class mammals

du -sh "$OUT"
for d in "$OUT"/*/; do echo "$(basename "$d"): $(ls "$d" | wc -l)"; done
