// Shell completion scripts, generated from the command tree itself so they never drift from --help.
import type { Command } from 'commander';

function words(cmd: Command): string[] {
  return [...cmd.commands.map((c) => c.name()), ...cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)), '--help'];
}

/** Every command path ("", "assets", "assets ls") with the words that may follow it. */
function table(program: Command): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  const walk = (cmd: Command, prefix: string) => {
    out.push([prefix, words(cmd)]);
    for (const sub of cmd.commands) walk(sub, prefix ? `${prefix} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return out;
}

export function bashCompletion(program: Command): string {
  const cases = table(program)
    .map(([path, ws]) => `    "${path}") opts="${ws.join(' ')}" ;;`)
    .join('\n');
  return `# studio completion for bash: source <(studio completion bash), or save it under /etc/bash_completion.d/
_studio() {
  local cur path="" word i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  # The command path typed so far: the words before the cursor that are not options or their values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "\${path:+$path }$word" in
${table(program)
  .filter(([p]) => p)
  .map(([p]) => `      "${p}") path="${p}" ;;`)
  .join('\n')}
    esac
  done
  local opts
  case "$path" in
${cases}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* || -n "$opts" ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  fi
  [[ \${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=( $(compgen -f -- "$cur") )
  return 0
}
complete -o filenames -F _studio studio
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef studio
# studio completion for zsh: source <(studio completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)}`;
}
