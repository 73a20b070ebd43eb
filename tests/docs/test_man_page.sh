#!/usr/bin/env bash
# The man page: it renders without warnings, it describes every command and
# every option that `wsconform COMMAND --help` lists (so the two cannot drift
# apart), `wsconform help COMMAND` is the command's --help, and `make install`
# puts the page where man finds it.
cd "$(dirname "$0")/../.." || exit 1
. tests/harness/lib.sh
page=man/wsconform.1

warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
tap_ok "$([ -z "$warnings" ]; echo $?)" "groff renders $page without warnings"
[ -z "$warnings" ] || tap_diag <<<"$warnings"

# The commands are those `wsconform --help` lists.
commands=$("$WSCONFORM_BIN" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | grep -v '^version$')
tap_ok "$([ "$(wc -w <<<"$commands")" -ge 7 ]; echo $?)" "wsconform --help lists the commands: $(echo $commands)"
for cmd in $commands; do
  grep -q "^\.SS $cmd\$" "$page"
  tap_ok $? "the man page has a section for '$cmd'"
  missing=()
  for opt in $("$WSCONFORM_BIN" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    [ "$opt" = --help ] && continue
    grep -qF -- "$(sed 's/-/\\-/g' <<<"$opt")" "$page" || missing+=("$opt")
  done
  tap_ok "${#missing[@]}" "the man page names every option of '$cmd' --help${missing:+ (missing: ${missing[*]})}"
  cmp -s <("$WSCONFORM_BIN" help "$cmd") <("$WSCONFORM_BIN" "$cmd" --help)
  tap_ok $? "wsconform help $cmd prints what wsconform $cmd --help prints"
done

# make install into a scratch root; the installed page renders with man -l.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
make --no-print-directory -s install DESTDIR="$root" PREFIX=/usr >"$root/make.log" 2>&1
tap_ok $? "make install DESTDIR=... PREFIX=/usr succeeds"
[ -f "$root/usr/share/man/man1/wsconform.1" ]
tap_ok $? "make install puts the page in share/man/man1"
MANWIDTH=80 man -l "$root/usr/share/man/man1/wsconform.1" 2>/dev/null | grep -q '^EXIT STATUS'
tap_ok $? "man -l renders the installed page with its EXIT STATUS section"
"$root/usr/bin/wsconform" help list | grep -q '^usage: wsconform list'
tap_ok $? "the installed program answers 'help list'"
tap_done
