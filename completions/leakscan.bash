# bash completion for leakscan (installed as share/bash-completion/completions/leakscan).
# Commands and each command's flags come from leakscan's own help, so they never go stale.
_leakscan() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} bin=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]-}
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$("$bin" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p') --help --version" -- "$cur"))
		return 0
	fi
	case $cmd in
	help)
		[ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$("$bin" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')" -- "$cur"))
		return 0 ;;
	hook)
		[ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "install uninstall status" -- "$cur")); return 0; } ;;
	baseline)
		[ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "create update" -- "$cur")); return 0; } ;;
	rules)
		[ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "list check" -- "$cur")); return 0; } ;;
	datastore)
		[ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "merge" -- "$cur")); return 0; } ;;
	esac
	case $prev in
	-f | --format) COMPREPLY=($(compgen -W "text json jsonl sarif junit csv" -- "$cur")); return 0 ;;
	--fail-on) COMPREPLY=($(compgen -W "low medium high critical verified" -- "$cur")); return 0 ;;
	--severity) COMPREPLY=($(compgen -W "low medium high critical" -- "$cur")); return 0 ;;
	--verification) COMPREPLY=($(compgen -W "verified invalid unknown error skipped none" -- "$cur")); return 0 ;;
	--status) COMPREPLY=($(compgen -W "open false-positive revoked accepted" -- "$cur")); return 0 ;;
	--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return 0 ;;
	--datastore | --rules | --config | --verify-ca-file) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$bin" help "$cmd" 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
		return 0
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -o bashdefault -F _leakscan leakscan
