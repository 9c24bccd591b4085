#!/usr/bin/env bash
# A short scripted session of the real sqldict binary against a fresh SQLite
# file: what a newcomer sees in the first five minutes. `make demo` runs it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sqldict-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$root" && go build -o "$work/sqldict" ./cmd/sqldict)
export PATH="$work:$PATH"
export SQLDICT_URL="sqlite:$work/demo.db"
unset SQLDICT_TABLE SQLDICT_AUTHOR VISUAL
cd "$work"

# Bold commands and dim narration on a terminal; plain text in a pipe or log.
bold='' dim='' plain=''
if [ -t 1 ]; then bold=$'\033[1m' dim=$'\033[2m' plain=$'\033[0m'; fi

# run echoes a command line, like a person typing it, then runs it; a value
# printed without a final newline gets one, as on a terminal.
run() {
	printf "\n${bold}\$ %s${plain}\n" "$1"
	local out rc=0
	out=$(
		eval "$1"
		rc=$?
		printf x
		exit $rc
	) || rc=$?
	out=${out%x}
	printf '%s' "$out"
	[[ -z $out || $out == *$'\n' ]] || echo
	return $rc
}

# say prints a line of narration.
say() { printf "\n${dim}# %s${plain}\n" "$*"; }

say "A versioned key/value journal in a fresh SQLite file (SQLDICT_URL=$SQLDICT_URL)."
run 'sqldict set greeting "hello world" --author ana'
run 'printf "limit=10\nmode=old\n" | sqldict set config - --author ana --comment "initial config"'
run 'sqldict set session/42 token-abc'
run 'sqldict keys'

sleep 1
before=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
sleep 1

say "An edit through \$EDITOR (scripted here with sed), committed with --yes."
run 'EDITOR="sed -i s/old/new/" sqldict edit config --yes --author bob --comment "switch to the new mode"'
run 'printf "limit=20\nmode=new\n" | sqldict set config - --author bob --comment "raise the limit" --if-version 2'

say "A deletion is a new version too: the old value stays in history."
run 'sqldict del session/42 --author ana --comment "logged out"'
run 'sqldict get session/42' || echo "(exit code $?: not found)"

say "Who changed what, newest first, with the diff each version made."
run 'sqldict log config -p'

say "Reads as of an earlier instant (times may also be dates or relative, like -2h)."
run "sqldict get config --as-of $before"
run "sqldict get session/42 --as-of $before"
run "sqldict keys --as-of $before"

say "What changed in the whole dict since then."
run "sqldict diff --from $before"

say "A writer that read an old version is refused, nothing overwritten (exit code 4)."
run 'sqldict set config "limit=5" --if-version 1' || echo "(exit code $?: conflict)"

say "The whole journal, history included, round-trips through export/import."
run 'sqldict export -o backup.jsonl'
run 'head -n 3 backup.jsonl'
run 'sqldict import backup.jsonl --db sqlite:copy.db'
run "sqldict get config --db sqlite:copy.db --as-of $before"

say "Pruning keeps the newest version of each key; reads from before the horizon are refused, never answered wrongly."
run 'sqldict prune --keep-versions 1'
run 'sqldict log config'
run "sqldict get config --as-of $before" || echo "(exit code $?: pruned)"
run 'sqldict get config'
