// The bash and zsh completion scripts `docker-jindr completion SHELL` prints. They know
// nothing themselves: each TAB runs `docker-jindr __complete jindr WORDS...` (the same
// cobra protocol the Docker CLI uses for plugins: one candidate per line, a tab before a
// description, then :DIRECTIVE), so commands, options and registry names have one source.

export type Shell = 'bash' | 'zsh';
export const SHELLS: readonly Shell[] = ['bash', 'zsh'];

/** A word for a shell script in single quotes. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function bash(program: string): string {
  return `# bash completion for docker-jindr.
# In this shell:   source <(docker-jindr completion bash)
# In every shell:  add that line to ~/.bashrc, or save the output as
#                  ~/.local/share/bash-completion/completions/docker-jindr
# \`docker jindr ...\` is completed by Docker's own completion (docker completion bash),
# which asks the plugin the same way.

__docker_jindr_program=${shellQuote(program)}

# Completes the words from COMP_WORDS[1] to COMP_WORDS[COMP_CWORD] into COMPREPLY.
_docker_jindr() {
    local i word glue=0 cur line directive
    local -a words=() out=()
    COMPREPLY=()
    # bash splits "app:v1" and "localhost:5001" at the colon (COMP_WORDBREAKS): glue them back.
    for ((i = 1; i <= COMP_CWORD; i++)); do
        word=\${COMP_WORDS[i]}
        if ((\${#words[@]} > 0)) && [[ $word == : || $glue == 1 ]]; then
            words[\${#words[@]}-1]+=$word
        else
            words+=("$word")
        fi
        if [[ $word == *: ]]; then glue=1; else glue=0; fi
    done
    cur=\${words[\${#words[@]}-1]}
    mapfile -t out < <("$__docker_jindr_program" __complete jindr "\${words[@]}" 2>/dev/null)
    ((\${#out[@]} > 0)) || return 0
    directive=\${out[\${#out[@]}-1]}
    if [[ $directive == :* ]]; then
        directive=\${directive#:}
        unset 'out[\${#out[@]}-1]'
    else
        directive=0
    fi
    for line in "\${out[@]}"; do
        line=\${line%%$'\\t'*}
        [[ -n $line && $line == "$cur"* ]] && COMPREPLY+=("$line")
    done
    if ((\${#COMPREPLY[@]} == 0 && (directive & 4) == 0)); then
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    # The shell replaces only what follows the last colon: drop what comes before it.
    if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        local before=\${cur%"\${cur##*:}"}
        COMPREPLY=("\${COMPREPLY[@]#"$before"}")
    fi
    return 0
}

complete -F _docker_jindr docker-jindr
`;
}

function zsh(program: string): string {
  return `#compdef docker-jindr
# zsh completion for docker-jindr.
# In this shell:   source <(docker-jindr completion zsh)
# In every shell:  add that line to ~/.zshrc (after compinit), or save the output as
#                  _docker-jindr in a directory of your $fpath
# \`docker jindr ...\` is completed by Docker's own completion (docker completion zsh),
# which asks the plugin the same way.

__docker_jindr_program=${shellQuote(program)}

_docker_jindr() {
    local -a out candidates
    local line value description directive=0
    out=("\${(@f)$("$__docker_jindr_program" __complete jindr "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if [[ \${out[-1]} == :* ]]; then
        directive=\${out[-1]#:}
        out=("\${(@)out[1,-2]}")
    fi
    for line in "\${out[@]}"; do
        [[ -n $line ]] || continue
        value=\${line%%$'\\t'*}
        description=
        [[ $line == *$'\\t'* ]] && description=\${line#*$'\\t'}
        # _describe splits VALUE:DESCRIPTION at the first unescaped colon.
        candidates+=("\${value//:/\\\\:}\${description:+:$description}")
    done
    if (( \${#candidates} > 0 )); then
        _describe -t values 'docker-jindr' candidates
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}

if (( ! $+functions[compdef] )); then
    autoload -Uz compinit && compinit
fi
compdef _docker_jindr docker-jindr
`;
}

/** The script for shell; program is how it runs docker-jindr (an absolute path when known). */
export function completionScript(shell: Shell, program: string): string {
  return shell === 'bash' ? bash(program) : zsh(program);
}
