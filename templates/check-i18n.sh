#!/usr/bin/env bash
# Static checks of templates/ (run as a test; needs bash, jq, grep, sed, sort, comm, awk):
#  1. every i18n/<lang>.json is a flat object of strings with exactly the keys of
#     en.json, each key using the same {var} substitutions as in en.json;
#  2. every {{t.key}} in a template and every "prefix.key" string literal in
#     static/js/*.js exists in en.json;
#  3. every other {{name}} is allowed for that page by docs/http-api.md; the pages are
#     checked with their {{> partial …}} includes resolved as the server does;
#  4. nothing the CSP would block: no inline <script>, <style>, style= or on*= handlers;
#     each page loads /static/js/common.js and at most its own js/<page>.js.
# Exit status 0 when all is well, 1 otherwise (each problem on stderr).
set -euo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir"
fail=0
problem() {
	echo "check-i18n: $*" >&2
	fail=1
}

command -v jq >/dev/null || { echo "check-i18n: jq is required" >&2; exit 1; }

# Placeholders from docs/http-api.md ("Template placeholders"). Keep in step with it.
common="lang other_lang other_lang_name org logo_url custom_css_url helpdesk_name helpdesk_url helpdesk_text privacy_url"
allowed_for() {
	case "$1" in
	login.html) echo "has_flow signin_for entity service cancel_url enroll_help_url username message cert_enabled cert_url cert_label" ;;
	enroll.html) echo "username display_name code expires" ;;
	passkeys.html) echo "username display_name cert_pairing" ;;
	error.html) echo "title message hint ref when" ;;
	enrolled.html) echo "display_name passkeys_url" ;;
	enroll-password.html) echo "username" ;;
	enroll-help.html) echo "back_url" ;;
	not-found.html) echo "" ;;
	notice.html) echo "title message back_url" ;;
	*) return 1 ;;
	esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The string files: en.json is the reference (render.c's default language).
shopt -s nullglob
[ -f i18n/en.json ] || problem "i18n/en.json is missing"
langs=()
for f in i18n/*.json; do
	lang=$(basename "$f" .json)
	langs+=("$lang")
	if ! jq -e 'type == "object" and all(.[]; type == "string")' "$f" >/dev/null 2>&1; then
		problem "$f is not a flat JSON object of strings"
		continue
	fi
	jq -r 'keys[]' "$f" | LC_ALL=C sort >"$tmp/$lang.keys"
	bad=$(grep -vE '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$' "$tmp/$lang.keys" || true)
	[ -z "$bad" ] || problem "$f: keys must look like page.name: $(echo $bad)"
	dup=$(jq -r '[to_entries[] | select(.value | test("\\{\\{|\\}\\}"))] | map(.key) | join(" ")' "$f")
	[ -z "$dup" ] || problem "$f: values must not contain {{ or }}: $dup"
	n=$(grep -o '^ *"[^"]*":' "$f" | LC_ALL=C sort | uniq -d | tr -d ' :"' | tr '\n' ' ')
	[ -z "$n" ] || problem "$f: duplicate keys: $n"
done
for lang in "${langs[@]}"; do
	[ "$lang" != en ] && [ -s "$tmp/en.keys" ] && [ -s "$tmp/$lang.keys" ] || continue
	only_en=$(LC_ALL=C comm -23 "$tmp/en.keys" "$tmp/$lang.keys" | tr '\n' ' ')
	only_other=$(LC_ALL=C comm -13 "$tmp/en.keys" "$tmp/$lang.keys" | tr '\n' ' ')
	[ -z "$only_en" ] || problem "keys missing from $lang.json: $only_en"
	[ -z "$only_other" ] || problem "keys only in $lang.json: $only_other"
	vars='with_entries(.value |= ([scan("\\{[a-z_]+\\}")] | unique | join(",")))'
	mismatch=$(jq -rn --slurpfile en i18n/en.json --slurpfile other "i18n/$lang.json" "
		(\$en[0] | $vars) as \$e | (\$other[0] | $vars) as \$o
		| [\$e | keys[] | select(\$o[.] != null and \$e[.] != \$o[.])] | join(\" \")")
	[ -z "$mismatch" ] || problem "keys whose {var} substitutions differ between en and $lang: $mismatch"
done
touch "$tmp/en.keys"

# A page with its {{> name key=placeholder key="text"}} includes replaced by
# partials/name.html, {{$key}} there becoming {{placeholder}} or the text: the
# same rules as render.c's loader (no nested includes, every slot given, every
# parameter used, "text" without <>&'{}). Problems go to stderr.
resolve() { # resolve PAGE > expanded; the partials it used are added to $tmp/included
	awk -v page="$1" -v list="$tmp/included" '
	function bad(msg) { printf "check-i18n: %s: %s\n", page, msg > "/dev/stderr"; failed = 1 }
	function include(d,    name, file, text, l, n, k, v, lit, used, out, key, i, np) {
		if (!match(d, /^ *[a-z0-9-]+/)) { bad("{{> needs a partial name"); return "" }
		name = substr(d, RSTART, RLENGTH); sub(/^ */, "", name)
		d = substr(d, RSTART + RLENGTH)
		np = 0
		while (match(d, /^ +[a-z_]+=("[^"]*"|[a-z0-9_.]+)/)) {
			l = substr(d, RSTART, RLENGTH); sub(/^ +/, "", l)
			d = substr(d, RSTART + RLENGTH)
			k = substr(l, 1, index(l, "=") - 1); v = substr(l, index(l, "=") + 1)
			np++; key[np] = k; used[np] = 0; lit[np] = (v ~ /^"/)
			if (lit[np]) {
				v = substr(v, 2, length(v) - 2)
				if (v ~ /[<>&\047{}]/) bad("{{> " name "}}: " k "=\"" v "\" holds one of <>&\047{}")
			}
			val[np] = v
		}
		if (d !~ /^ *$/) bad("{{> " name "}}: cannot read \"" d "\"")
		file = "partials/" name ".html"
		text = ""; n = 0
		while ((i = (getline l < file)) > 0)
			text = text (n++ ? "\n" : "") l
		close(file)
		if (i < 0 || n == 0) { bad(file " is missing or empty"); return "" }
		if (index(text, "{{>")) bad(file ": a partial cannot include another")
		out = ""
		while (match(text, /\{\{\$[a-z_]+\}\}/)) {
			k = substr(text, RSTART + 3, RLENGTH - 5)
			out = out substr(text, 1, RSTART - 1)
			text = substr(text, RSTART + RLENGTH)
			for (i = 1; i <= np && key[i] != k; i++) ;
			if (i > np) { bad(file ": {{$" k "}} is not given"); continue }
			used[i] = 1
			out = out (lit[i] ? val[i] : "{{" val[i] "}}")
		}
		for (i = 1; i <= np; i++)
			if (!used[i]) bad(file " has no {{$" key[i] "}}")
		print file >> list
		return out text
	}
	{
		line = $0; out = ""
		while (match(line, /\{\{>[^}]*\}\}/)) {
			s = RSTART; n = RLENGTH # include() matches too
			out = out substr(line, 1, s - 1) include(substr(line, s + 3, n - 5))
			line = substr(line, s + n)
		}
		print out line
	}
	END { exit failed }' "$1"
}

# 2 and 3. Placeholders in the templates (with their partials in place).
pages=(*.html)
[ ${#pages[@]} -gt 0 ] || problem "no templates found in $dir"
: >"$tmp/included"
for name in "${pages[@]}"; do
	if ! allowed=$(allowed_for "$name"); then
		problem "$name: not a page of docs/http-api.md"
		continue
	fi
	page="$tmp/$name"
	resolve "$name" >"$page" || fail=1
	# Anything that opens {{ must be a well-formed {{name}}.
	broken=$(sed -E 's/\{\{[a-z_]+\}\}|\{\{t\.[a-z0-9_.]+\}\}//g' "$page" | grep -nE '\{\{|\}\}' || true)
	[ -z "$broken" ] || problem "$name: malformed placeholder: $broken"
	grep -oE '\{\{[a-z0-9_.]+\}\}' "$page" | sed -E 's/^\{\{//; s/\}\}$//' | LC_ALL=C sort -u >"$tmp/names"
	while IFS= read -r ph; do
		case "$ph" in
		t.*)
			grep -qxF "${ph#t.}" "$tmp/en.keys" || problem "$name: {{$ph}} has no key in i18n/en.json"
			;;
		*)
			case " $common $allowed " in
			*" $ph "*) ;;
			*) problem "$name: {{$ph}} is not a placeholder of this page (docs/http-api.md)" ;;
			esac
			;;
		esac
	done <"$tmp/names"

	# 4. The CSP: script-src 'self', style-src 'self', no inline anything.
	if grep -nE '<script([^>]*)>' "$page" | grep -vE '<script [^>]*src="/static/[^"]+"[^>]*></script>' >/dev/null; then
		problem "$name: inline <script> (only <script src=\"/static/…\"></script>)"
	fi
	if grep -niE '<style|[[:space:]]style=|[[:space:]]on[a-z]+=|javascript:' "$page" >/dev/null; then
		problem "$name: inline style or event handler (blocked by the CSP)"
	fi
	grep -q '<html lang="{{lang}}">' "$page" || problem "$name: <html lang=\"{{lang}}\"> missing"
	# the shared script first, then this page's own (if it has one), nothing else
	scripts=$(grep -oE '<script [^>]*src="[^"]+"' "$page" | sed -E 's/.*src="([^"]*)"/\1/' | paste -sd' ' -)
	case "$scripts" in
	"/static/js/common.js" | "/static/js/common.js /static/js/${name%.html}.js") ;;
	*) problem "$name: loads \"$scripts\" (want /static/js/common.js, then at most /static/js/${name%.html}.js)" ;;
	esac
	for ref in $(grep -oE '(src|href)="/static/[^"]*"' "$page" | sed -E 's/^[a-z]+="\/(.*)"$/\1/'); do
		[ -f "$ref" ] || problem "$name: /$ref does not exist"
	done
	[ "$(grep -c '<h1[ >]' "$page")" -eq 1 ] || problem "$name: needs exactly one <h1>"
	if grep -nE 'tabindex="[1-9]' "$page" >/dev/null; then
		problem "$name: positive tabindex"
	fi
	# a button must say what it is: type="button", or type="submit" for a form's own button
	if grep -oE '<button[^>]*>' "$page" | grep -vE 'type="(button|submit)"' >/dev/null; then
		problem "$name: <button> without type=\"button\" (or \"submit\")"
	fi
done

for f in partials/*.html; do
	grep -qxF "$f" "$tmp/included" || problem "$f: no page includes it"
done

# 2 (scripts). Strings the scripts ask for: every "prefix.key" literal with a known prefix.
[ -f static/js/common.js ] || problem "static/js/common.js is missing"
prefixes=$(sed 's/\..*//' "$tmp/en.keys" | sort -u | paste -sd'|' -)
for js in static/js/*.js; do
	if [ -n "$prefixes" ]; then
		grep -oE "\"($prefixes)\.[a-z0-9_.]+\"" "$js" | tr -d '"' | LC_ALL=C sort -u >"$tmp/js.keys" || true
		while IFS= read -r key; do
			grep -qxF "$key" "$tmp/en.keys" || problem "$js: string \"$key\" has no key in i18n/en.json"
		done <"$tmp/js.keys"
	fi
	if grep -nE '\beval\(|new Function\(|innerHTML|outerHTML|insertAdjacentHTML|document\.write' "$js" >/dev/null; then
		problem "$js: eval, Function or HTML injection sink"
	fi
done
[ -f static/bridge.css ] || problem "static/bridge.css is missing"

# 3. One name for each thing (templates/README.md, "Adding a string"): the help desk and
#    the organisation only as {helpdesk} / {org} ([branding] fills them in), the set-up
#    link and My passkeys by one term each.
words() { # FILE KEY-TO-SKIP REGEX WHY
	local k
	[ -f "$1" ] || return 0
	while IFS=$'\t' read -r k _; do
		problem "$1: $k: $4"
	done < <(jq -r --arg skip "$2" 'to_entries[] | select(.key != $skip) |
		"\(.key)\t\(.value | gsub("\\{(helpdesk|org)\\}"; ""))"' "$1" | grep -iE "$3" || true)
}
words i18n/en.json common.helpdesk 'help ?desk|service desk|enrolment link|one-time link|enrollment link' \
	'name the help desk as {helpdesk}, the link as "set-up link"'
words i18n/ja.json common.helpdesk 'ヘルプデスク|窓口|設定用リンク|登録リンク|使えるリンク|マイパスキー' \
	'name the help desk as {helpdesk}, the link as 登録用リンク, My passkeys as 「パスキーの管理」'

if [ "$fail" -ne 0 ]; then
	exit 1
fi
echo "check-i18n: ok ($(wc -l <"$tmp/en.keys" | tr -d ' ') keys in ${#langs[@]} languages, ${#pages[@]} templates)"
