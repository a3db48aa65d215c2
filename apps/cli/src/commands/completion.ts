import { Argument, type Command } from 'commander';

type Node = { path: string; subcommands: string[]; options: string[] };

/** Every command of the tree with what may follow it: its subcommands and its long options. */
function nodesOf(command: Command, path: string, inherited: string[]): Node[] {
  const own = command.options
    .map((o) => o.long)
    .filter((o): o is string => Boolean(o) && !o?.startsWith('--json-'));
  const options = [...new Set([...inherited, ...own])];
  const visible = command.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  const node = { path, subcommands: visible.map((c) => c.name()), options: path === '' ? own : options };
  return [
    node,
    ...visible.flatMap((c) =>
      nodesOf(c, path ? `${path} ${c.name()}` : c.name(), path === '' ? own : options),
    ),
  ];
}

function bash(nodes: Node[]): string {
  const cases = nodes
    .map((n) => `    "${n.path}") words="${[...n.subcommands, ...n.options, '--help'].join(' ')}" ;;`)
    .join('\n');
  const known = nodes.map((n) => n.path).filter(Boolean);
  return `# keyward completion for bash: source <(keyward completion bash)
_keyward() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w words=""
  local known="|${known.join('|')}|"
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    if [[ "$known" == *"|\${path:+$path }$w|"* ]]; then path="\${path:+$path }$w"; fi
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _keyward keyward
`;
}

function fish(nodes: Node[]): string {
  const lines = ['# keyward completion for fish: keyward completion fish | source', 'complete -c keyward -f'];
  for (const n of nodes) {
    const parts = n.path.split(' ').filter(Boolean);
    const condition = parts.length
      ? `__fish_seen_subcommand_from ${parts.at(-1)}${n.subcommands.length ? `; and not __fish_seen_subcommand_from ${n.subcommands.join(' ')}` : ''}`
      : `not __fish_seen_subcommand_from ${n.subcommands.join(' ')}`;
    if (n.subcommands.length)
      lines.push(`complete -c keyward -n '${condition}' -a '${n.subcommands.join(' ')}'`);
    for (const option of n.options) lines.push(`complete -c keyward -n '${condition}' -l ${option.slice(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

const SCRIPTS: Record<string, (nodes: Node[]) => string> = {
  bash,
  zsh: (nodes) =>
    `# keyward completion for zsh: source <(keyward completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash(nodes)}`,
  fish,
};

export function registerCompletion(program: Command) {
  program
    .command('completion')
    .description('print a shell completion script: source <(keyward completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SCRIPTS)))
    .action((shell: string) => {
      process.stdout.write((SCRIPTS[shell] as (nodes: Node[]) => string)(nodesOf(program, '', [])));
    });
}
