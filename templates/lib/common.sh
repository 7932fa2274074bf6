# --- common (every swapboot script starts with this) ---
# Lines that start with "@swapboot " on stdout are read by swapboot; everything else is for people.
report() { printf '@swapboot %s\n' "$*"; }
fact() { printf '@swapboot fact %s=%s\n' "$1" "$2"; }
fail() { printf 'swapboot: %s\n' "$*" >&2; exit 1; }
# write_file PATH MODE CONTENT: a temp file in the same directory, then rename, so an interrupted run never
# leaves a half-written file. mktemp creates it 0600, before any content is written.
write_file() {
	mkdir -p "$(dirname "$1")"
	wf_tmp=$(mktemp "$1.swapboot.XXXXXX")
	if ! printf '%s' "$3" > "$wf_tmp" || ! chmod "$2" "$wf_tmp" || ! mv -f "$wf_tmp" "$1"; then
		rm -f "$wf_tmp"
		return 1
	fi
}
# --- end common ---
