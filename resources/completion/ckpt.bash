# bash completion for ckpt (installed as share/bash-completion/completions/ckpt).
# Subcommands and options are those of `ckpt SUBCOMMAND --help`; keep them in step when a
# command changes. Paths are completed everywhere else, since every command takes files.

_ckpt()
{
    local cur prev words cword
    _init_completion || return

    local commands="ls tree stats values demo verify export diff scan timeline doctor"
    local command="" i
    for ((i = 1; i < cword; i++)); do
        if [[ " $commands " == *" ${words[i]} "* ]]; then
            command=${words[i]}
            break
        fi
    done

    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    # Options that take a value: complete the value, not another option.
    case $prev in
        --io | --against | -o | --output)
            _filedir
            return
            ;;
        --activation | --final-activation)
            COMPREPLY=($(compgen -W "relu tanh sigmoid gelu identity" -- "$cur"))
            return
            ;;
        --cast)
            COMPREPLY=($(compgen -W "float32" -- "$cur"))
            return
            ;;
        --order)
            COMPREPLY=($(compgen -W "auto name meta mtime" -- "$cur"))
            return
            ;;
        --metrics)
            COMPREPLY=($(compgen -W "basic all" -- "$cur"))
            return
            ;;
        --bins | --limit | --seed | --batch | --rtol | --atol | --x | --y | --prefix | \
            --clone-prefix | --select | --exclude | --strip-prefix | --add-prefix | \
            --prefix-a | --prefix-b | --reference-prefix | --distribution)
            return
            ;;
    esac

    local options="--help"
    case $command in
        ls | stats | values | demo | scan) options+=" --json" ;;
    esac
    case $command in
        stats) options+=" --bins --csv --metrics --filter" ;;
        values) options+=" --limit" ;;
        verify)
            options+=" --io --against --x --y --seed --batch --prefix --clone-prefix --activation
                --final-activation --rtol --atol --exact --float64 --json"
            ;;
        export)
            options+=" -o --output --select --exclude --strip-prefix --add-prefix --compress
                --with-architecture --cast --force --json"
            ;;
        timeline) options+=" --select --order --json --csv --distribution --bins --no-cache" ;;
        doctor) options+=" --against --prefix --reference-prefix --json" ;;
        diff)
            options+=" --prefix-a --prefix-b --rtol --atol --transpose-kernels --by-layer --json"
            ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        return
    fi
    # demo writes into a directory; every other command reads files or folders.
    if [[ $command == demo ]]; then
        _filedir -d
    else
        _filedir
    fi
}
complete -F _ckpt ckpt
