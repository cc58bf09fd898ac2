#!/usr/bin/env bash
# End-to-end tests of `consentflow link` and `consentflow links`: links printed, QR files written
# and read back by zbarimg, the campaign sheet, and clear errors with exit status 1.
# Usage: links_cli_test.sh PATH/TO/consentflow SOURCE_DIR
set -uo pipefail
cf=$1
src=$2
# shellcheck source=cli_check.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_check.sh"

# link: the URL on stdout, the code appended, the text percent-encoded.
"$cf" link --phone "+39 333 123 4567" --code SPRING24 --text "Ciao! Vorrei l'offerta è 🎿" \
  >"$work/out" 2>"$work/err"
check "link exits 0" test $? -eq 0
check "link prints the encoded link" test "$(cat "$work/out")" = \
  "https://wa.me/393331234567?text=Ciao%21%20Vorrei%20l%27offerta%20%C3%A8%20%F0%9F%8E%BF%20SPRING24"

# --qr: the file a camera reads back as the link, as PNG and as SVG.
"$cf" link --phone "0039 333 1234567" --code TESTDRIVE --qr "$work/td.png" --level H >"$work/out" 2>&1
check "link --qr png exits 0" test $? -eq 0
check "the PNG decodes to the printed link" test "$(zbarimg --quiet --raw "$work/td.png" 2>/dev/null)" = "$(cat "$work/out")"
"$cf" link --phone "+39 333 1234567" --code TESTDRIVE --qr "$work/td.svg" --level L >"$work/out" 2>&1
check "link --qr svg exits 0" test $? -eq 0
rsvg-convert -w 400 -h 400 -o "$work/td-svg.png" "$work/td.svg"
check "the SVG decodes to the printed link" test "$(zbarimg --quiet --raw "$work/td-svg.png" 2>/dev/null)" = "$(cat "$work/out")"

# --flows: the code must belong to a flow there.
"$cf" link --phone "+39 333 1234567" --code TESTDRIVE --flows "$src/flows" >/dev/null 2>&1
check "link --flows accepts an owned code" test $? -eq 0
"$cf" link --phone "+39 333 1234567" --code TESTDRIV --flows "$src/flows" >/dev/null 2>"$work/err"
check "link --flows refuses an unknown code" test $? -eq 1
check "and suggests the right one" grep -q "did you mean 'TESTDRIVE'?" "$work/err"

# Bad input: exit 1, a message that says what to do, nothing on stdout.
"$cf" link --phone "0333 1234567" --code SPRING24 >"$work/out" 2>"$work/err"
check "a national number exits 1" test $? -eq 1
check "it asks for the country code" grep -q "^consentflow: error: .*country code" "$work/err"
check "nothing on stdout" test ! -s "$work/out"
"$cf" link --phone "+39 333 1234567" --code "SPRING 24" >/dev/null 2>"$work/err"
check "a code with a space exits 1" test $? -eq 1
"$cf" link --phone "+39 333 1234567" --code SPRING24 --qr "$work/code.jpg" >/dev/null 2>"$work/err"
check "--qr .jpg exits 1" test $? -eq 1
check "it names the formats" grep -q "must end in .svg" "$work/err"
"$cf" link --phone "+39 333 1234567" --code SPRING24 --qr "$work/x.png" --level X >/dev/null 2>"$work/err"
check "--level X exits 1" test $? -eq 1
"$cf" link --phone "+39 333 1234567" --code SPRING24 --qr "$work/x.png" --scale 0 >/dev/null 2>"$work/err"
check "--scale 0 exits 1" test $? -eq 1
"$cf" link --phone "+39 333 1234567" --code SPRING24 --qr "$work/no/such/dir/x.png" >/dev/null 2>"$work/err"
check "an unwritable --qr exits 2" test $? -eq 2

# links: the example campaign against the example flows.
"$cf" links "$src/flows/campaigns/spring.csv" --phone "+39 333 123 4567" --flows "$src/flows" \
  --out "$work/sheet" >"$work/out" 2>"$work/err"
check "links exits 0" test $? -eq 0
for code in SPRING24 TESTDRIVE; do
  check "links writes $code.svg" test -s "$work/sheet/$code.svg"
  check "links writes $code.png" test -s "$work/sheet/$code.png"
  url=$(grep "^$code " "$work/out" | awk '{print $3}')
  check "links prints $code's link and flow" test -n "$url"
  check "$code.png decodes to its link" test "$(zbarimg --quiet --raw "$work/sheet/$code.png" 2>/dev/null)" = "$url"
  check "the sheet shows $code's link" grep -qF "$url" "$work/sheet/index.html"
  check "the sheet shows $code's code" grep -q "<img src=\"$code.svg\"" "$work/sheet/index.html"
done
check "the sheet shows the labels" grep -q "Flyer in ski rental shops" "$work/sheet/index.html"
check "links names the flows" grep -q "^SPRING24  spring_leads  https://wa.me/393331234567?text=" "$work/out"

# links: a wrong code is reported at its line, and nothing is written.
printf 'code,text,label\nSPRING24,Hi,Flyer\nSPRNG24,Hi,Poster\n' >"$work/typo.csv"
"$cf" links "$work/typo.csv" --phone "+39 333 123 4567" --flows "$src/flows" --out "$work/typo" \
  >"$work/out" 2>"$work/err"
check "links with an unknown code exits 1" test $? -eq 1
check "the error is file:line" grep -q "typo.csv:3: code \"SPRNG24\" belongs to no flow" "$work/err"
check "nothing is written" test ! -e "$work/typo"
printf 'code,text\nSPRING24,"Hi\n' >"$work/quote.csv"
"$cf" links "$work/quote.csv" --phone "+39 333 123 4567" --flows "$src/flows" --out "$work/q" \
  >/dev/null 2>"$work/err"
check "links with a broken quote exits 1" test $? -eq 1
check "it names the line of the quote" grep -q "quote.csv:2: a quoted field is never closed" "$work/err"
"$cf" links "$work/missing.csv" --phone "+39 333 123 4567" --flows "$src/flows" --out "$work/m" \
  >/dev/null 2>"$work/err"
check "links with a missing file exits 1" test $? -eq 1
check "it names the file" grep -q "cannot open '$work/missing.csv'" "$work/err"

# check: a long link code is a warning with its own code.
cat >"$work/long.flow" <<'FLOW'
flow long
entry link "SPRING-SKI-OFFER-2024"
state start
  say "Hi"
  end
FLOW
"$cf" check "$work/long.flow" >/dev/null 2>"$work/err"
check "a long link code still compiles" test $? -eq 0
check "check warns about the long code" grep -q "long.flow:2:12: warning: link code \"SPRING-SKI-OFFER-2024\" is 21 characters long" "$work/err"

finish
