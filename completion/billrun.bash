# bash completion for billrun: commands, options, report names and option values.
# Install as /usr/share/bash-completion/completions/billrun (cmake --install does), or
# source it from ~/.bashrc.

_billrun()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
        prev="${COMP_WORDS[COMP_CWORD-1]}"
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="init import cycle approve emit-nfse issue-boleto remind reconcile cancel report show help"
    local globals="--ledger --config --date --dry-run --out -o --format --quiet -q --verbose -v --help -h --version"

    # The command word and the words after it that are not options (nor option values).
    local i word command="" args=()
    for ((i = 1; i < cword; i++)); do
        word="${words[i]}"
        case "$word" in
            --ledger|--config|--date|--out|-o|--format|--customer|--owner|--status|--series|--command|--from|--to|--reason|--code|--bank|--since)
                ((i++)) ;;
            -*) ;;
            *)
                if [[ -z "$command" ]]; then
                    command="$word"
                else
                    args+=("$word")
                fi ;;
        esac
    done

    case "$prev" in
        --format)
            COMPREPLY=($(compgen -W "yaml json csv table" -- "$cur"))
            return ;;
        --ledger|--config|--out|-o)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --date|--from|--to|--customer|--owner|--series|--command|--reason|--since)
            COMPREPLY=()
            return ;;
        --bank)
            # The ids of boleto accounts in ./billrun.yaml (or $BILLRUN_CONFIG).
            local file="${BILLRUN_CONFIG:-billrun.yaml}" ids=""
            [[ -r "$file" ]] && ids=$(sed -n 's/^ *- *id: *\([A-Za-z0-9_.-]*\).*/\1/p' "$file")
            COMPREPLY=($(compgen -W "$ids" -- "$cur"))
            return ;;
        --code)
            COMPREPLY=($(compgen -W "1 2 9" -- "$cur"))
            return ;;
        --status)
            if [[ "${args[0]}" == runs ]]; then
                COMPREPLY=($(compgen -W "running ok partial failed dry-run" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "draft issued paid partly-paid cancelled open" -- "$cur"))
            fi
            return ;;
    esac

    local options=""
    case "$command" in
        import) options="--skip-invalid" ;;
        approve) options="--all" ;;
        issue-boleto) options="--no-pdf --one-pdf" ;;
        cancel) options="--reason --code" ;;
        reconcile) options="--bank --since --webhook" ;;
        report)
            case "${args[0]}" in
                aging) options="--customer --owner" ;;
                statement) options="--from --to" ;;
                stages) options="--owner" ;;
                invoices) options="--status --customer --owner --series --from --to" ;;
                runs) options="--status --command --from --to" ;;
            esac ;;
    esac

    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$options $globals" -- "$cur"))
        return
    fi

    case "$command" in
        "")
            COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
        import)
            if ((${#args[@]} == 0)); then
                COMPREPLY=($(compgen -W "customers services contracts charges payments" -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi ;;
        report)
            if ((${#args[@]} == 0)); then
                COMPREPLY=($(compgen -W "aging statement stages invoices runs" -- "$cur"))
            fi ;;
        show)
            if ((${#args[@]} == 0)); then
                COMPREPLY=($(compgen -W "customer service contract charge invoice boleto nfse remessa payment reminder run" -- "$cur"))
            fi ;;
        help)
            if ((${#args[@]} == 0)); then
                COMPREPLY=($(compgen -W "$commands billrun.yaml" -- "$cur"))
            fi ;;
        reconcile|emit-nfse|issue-boleto)
            COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}

complete -F _billrun billrun
